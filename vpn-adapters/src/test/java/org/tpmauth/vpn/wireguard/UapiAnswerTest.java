package org.tpmauth.vpn.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UapiAnswerTest {
    private static UapiAnswer parse(String text) {
        return UapiAnswer.parse(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String refusal(String text) {
        return assertThrows(IllegalArgumentException.class, () -> parse(text)).getMessage();
    }

    @Test
    void readsTheErrnoOfASetAndOfAGet() {
        assertEquals(0, parse("errno=0\n\n").errno());
        assertEquals(22, parse("errno=22\n\n").errno());
        assertEquals(0, parse("private_key=00\nlisten_port=51820\nprotocol_version=1\nerrno=0\n\n").errno());
    }

    @Test
    void refusesMalformedAnswers() {
        assertTrue(refusal("errno=0\n").startsWith("incomplete answer"));
        assertTrue(refusal("").startsWith("incomplete answer"));
        assertEquals("answer without errno", refusal("listen_port=1\n\n"));
        assertEquals("answer with two errno lines", refusal("errno=0\nerrno=1\n\n"));
        assertEquals("answer line without key=value", refusal("errno\n\n"));
        assertEquals("answer line without key=value", refusal("=0\n\n"));
        assertEquals("answer line without key=value", refusal("\n\n"));
        assertEquals("errno is not a number", refusal("errno=-1\n\n"));
        assertTrue(refusal("errno=\n\n").startsWith("errno is not a number of 1-9 digits"));
        assertTrue(refusal("errno=1234567890\n\n").startsWith("errno is not a number of 1-9 digits"));
        assertEquals("answer holds a control or non-ASCII byte", refusal("errno=0\r\n\n"));
        assertEquals("answer holds a control or non-ASCII byte", refusal("errno=0\u00ff\n\n"));
    }

    @Test
    void completeMeansTheTerminatingEmptyLine() {
        byte[] b = "errno=0\n\n".getBytes(StandardCharsets.US_ASCII);
        assertTrue(UapiAnswer.complete(b, b.length));
        assertFalse(UapiAnswer.complete(b, b.length - 1));
        assertFalse(UapiAnswer.complete(b, 0));
    }
}
