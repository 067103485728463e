package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tpmauth.pkcs11.RpcMessage.AttributeQuery;

/** The RPC codec against every frame of the real p11-kit captures, and against malformed input. */
class RpcCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void everyCapturedFrameReadsAndWritesBackExactly() throws Exception {
        int frames = 0;
        for (String name : Captures.NAMES) {
            for (Captures.Frame f : Captures.frames(name)) {
                RpcFrame frame = RpcFrame.read(new ByteArrayInputStream(f.bytes()));
                assertNotNull(frame, f.description());
                assertArrayEquals(f.bytes(), frame.encode(), f.description());
                if (f.description().contains("cannot parse this")) {
                    // p11-kit's own server answers a CKA_ALLOWED_MECHANISMS size query with a count and no
                    // items, which its 0.24.1 client cannot read either (P11KIT.md 6.4)
                    assertThrows(RpcFormatException.class, () -> RpcMessage.parse(frame.body()));
                    continue;
                }
                RpcMessage message = RpcMessage.parse(frame.body());
                assertArrayEquals(frame.body(), message.encode(), f.description());
                RpcCall call = RpcCall.byId(message.callId());
                assertNotNull(call, f.description());
                String expected = f.fromClient() ? call.request : call.response;
                assertEquals(expected, message.signature(), f.description());
                frames++;
            }
        }
        assertTrue(frames > 900, frames + " frames");
    }

    @Test
    void capturedValuesDecodeAsDocumented() throws Exception {
        // pkcs11tool-sign-rsa-pss: C_SignInit with CKM_RSA_PKCS_PSS {SHA-256, MGF1-SHA256, salt 32}, key 3
        RpcMessage signInit = find("pkcs11tool-sign-rsa-pss", true, RpcCall.C_SIGN_INIT);
        assertEquals(new Mechanism(Pkcs11.CKM_RSA_PKCS_PSS, new Mechanism.PssParameter(Pkcs11.CKM_SHA256,
                Pkcs11.CKG_MGF1_SHA256, 32)), signInit.mechanism(1));
        assertEquals(3, signInit.ulong(2));
        // pkcs11tool-sign-ecdsa: C_GetAttributeValue(CKA_ALWAYS_AUTHENTICATE, buffer 1) answered FALSE
        RpcMessage query = find("pkcs11tool-sign-ecdsa", true, RpcCall.C_GET_ATTRIBUTE_VALUE);
        assertEquals(List.of(new AttributeQuery(Pkcs11.CKA_ALWAYS_AUTHENTICATE, 1)), query.queries(2));
        RpcMessage answer = find("pkcs11tool-sign-ecdsa", false, RpcCall.C_GET_ATTRIBUTE_VALUE);
        assertEquals(List.of(Attribute.bool(Pkcs11.CKA_ALWAYS_AUTHENTICATE, false)), answer.attributes(0));
        assertEquals(Pkcs11.CKR_OK, answer.ulong(1));
        // pkcs11tool-wrong-pin: the error response carries CKR_PIN_INCORRECT
        boolean sawPinIncorrect = Captures.frames("pkcs11tool-wrong-pin").stream().filter(f -> !f.fromClient())
                .map(f -> parse(f.bytes())).anyMatch(m -> m.callId() == 0 && m.ulong(0) == Pkcs11.CKR_PIN_INCORRECT);
        assertTrue(sawPinIncorrect);
    }

    @Test
    void findTemplateFromTheProtocolNotes() throws Exception {
        // P11KIT.md 5.1: {CKA_CLASS = CKO_PRIVATE_KEY, CKA_ID = "01"}
        byte[] body = HEX.parseHex("0000001a00000003756141" + "0000000000000011"
                + "00000002" + "0000000001000000080000000000000003" + "000001020100000002000000023031");
        RpcMessage m = RpcMessage.parse(body);
        assertEquals(List.of(Attribute.ulong(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY),
                Attribute.bytes(Pkcs11.CKA_ID, "01".getBytes())), m.attributes(1));
        assertArrayEquals(body, m.encode());
    }

    @Test
    void malformedInputIsRefusedWithAReason() {
        // truncated: a C_Login whose PIN claims 4 bytes and carries 2
        byte[] login = HEX.parseHex("00000012000000047575617900000000000000110000000000000001010000000431 32"
                .replace(" ", ""));
        assertTrue(assertThrows(RpcFormatException.class, () -> RpcMessage.parse(login)).getMessage()
                .contains("byte array"));
        // a count far beyond the bytes present is refused before anything is allocated
        byte[] hugeTemplate = HEX.parseHex("0000001a00000003756141" + "0000000000000011" + "7ffffff0");
        assertTrue(assertThrows(RpcFormatException.class, () -> RpcMessage.parse(hugeTemplate)).getMessage()
                .contains("does not fit"));
        // unknown signature letters, a bad present flag, bytes left over
        assertThrows(RpcFormatException.class, () -> RpcMessage.parse(HEX.parseHex("0000000100000001" + "51")));
        assertThrows(RpcFormatException.class, () -> RpcMessage.parse(HEX.parseHex("000000120000000261790200000000")));
        assertThrows(RpcFormatException.class, () -> RpcMessage.parse(HEX.parseHex("00000002000000000000")));
        // oversized and truncated frames
        assertThrows(RpcFormatException.class, () -> RpcFrame.read(new ByteArrayInputStream(
                HEX.parseHex("000000100000000000200000"))));
        assertThrows(EOFException.class, () -> RpcFrame.read(new ByteArrayInputStream(HEX.parseHex("00000010000000"))));
        assertThrows(EOFException.class, () -> RpcFrame.read(new ByteArrayInputStream(
                HEX.parseHex("0000001000000000000000080000"))));
    }

    @Test
    void cleanEndOfStreamIsNoFrame() throws Exception {
        assertNull(RpcFrame.read(new ByteArrayInputStream(new byte[0])));
    }

    private static RpcMessage find(String capture, boolean fromClient, RpcCall call) {
        return Captures.frames(capture).stream().filter(f -> f.fromClient() == fromClient).map(f -> parse(f.bytes()))
                .filter(m -> m.callId() == call.id).findFirst().orElseThrow();
    }

    private static RpcMessage parse(byte[] frameBytes) {
        try {
            return RpcMessage.parse(RpcFrame.read(new ByteArrayInputStream(frameBytes)).body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
