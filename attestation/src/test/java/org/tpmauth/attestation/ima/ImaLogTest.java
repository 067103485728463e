package org.tpmauth.attestation.ima;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.eventlog.EventLogFormatException;
import org.tpmauth.attestation.quote.PcrValues;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.attestation.testing.ImaLogs;
import org.tpmauth.tss.types.TpmAlg;

/** IMA logs in the kernel's binary and ASCII forms: same entries, same replay, allowlist checks. */
class ImaLogTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] filled(int v) {
        return ImaLogs.filled(v);
    }

    @Test
    void binaryAndAsciiFormsParseToTheSameEntriesAndReplay() throws Exception {
        ImaLogs b = ImaLogs.sample();
        ImaLog bin = ImaLog.parse(b.binary());
        ImaLog txt = ImaLog.parse(b.ascii().getBytes(StandardCharsets.UTF_8));
        assertEquals(5, bin.entries().size());
        assertEquals("/usr/lib/with space.so", txt.entries().get(2).path());
        assertArrayEquals(HEX.parseHex("030204aabbccdd"), txt.entries().get(2).signature());
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(bin.entries().get(i).templateData(), txt.entries().get(i).templateData(), "entry " + i);
        }
        List<TpmAlg> banks = List.of(TpmAlg.SHA1, TpmAlg.SHA256);
        PcrValues a = bin.replay(banks);
        assertArrayEquals(a.get(TpmAlg.SHA256, 10), txt.replay(banks).get(TpmAlg.SHA256, 10));
        assertArrayEquals(a.get(TpmAlg.SHA1, 10), txt.replay(banks).get(TpmAlg.SHA1, 10));
        // sha1 PCR 10 by hand: extend each template hash, all ones for the violation
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        byte[] pcr = new byte[20];
        for (ImaEntry e : bin.entries()) {
            byte[] m = e.violation() ? filledFf() : e.templateHash();
            sha1.update(pcr);
            pcr = sha1.digest(m);
        }
        assertArrayEquals(pcr, a.get(TpmAlg.SHA1, 10));
        assertTrue(bin.entries().get(4).violation());
        assertEquals(List.of(), bin.inconsistent());
    }

    private static byte[] filledFf() {
        byte[] b = new byte[20];
        Arrays.fill(b, (byte) 0xff);
        return b;
    }

    @Test
    void theAllowlistNamesEachFileThatBreaksIt() throws Exception {
        ImaLog log = ImaLog.parse(ImaLogs.sample().binary());
        RefState.Ima rules = new RefState.Ima(Map.of("/usr/bin/bash", List.of(HEX.formatHex(filled(2))),
                "/etc/unsigned", List.of(HEX.formatHex(filled(9)))), List.of("/var/log/.*", "/usr/lib/.*"));
        List<Failure> f = ImaPolicy.evaluate(rules, log);
        assertEquals(1, f.size(), f.toString());
        assertTrue(f.get(0).message().contains("IMA entry 3: /etc/unsigned"), f.get(0).message());
        assertEquals("3", f.get(0).context().get("event"));
    }

    @Test
    void malformedAndEditedLogsAreCaught() throws Exception {
        byte[] bin = ImaLogs.sample().binary();
        EventLogFormatException e = assertThrows(EventLogFormatException.class,
                () -> ImaLog.parse(Arrays.copyOf(bin, bin.length - 2)));
        assertEquals(4, e.eventIndex());
        assertThrows(EventLogFormatException.class, () -> ImaLog.parse(new byte[0]));
        assertThrows(EventLogFormatException.class, () -> ImaLog.parse("10 zz ima-ng sha256:00 /x\n".getBytes()));
        String ascii = ImaLogs.sample().ascii().replace("/usr/bin/bash", "/usr/bin/evil");
        ImaLog edited = ImaLog.parse(ascii.getBytes(StandardCharsets.UTF_8));
        assertEquals(1, edited.inconsistent().size());
        assertEquals("/usr/bin/evil", edited.inconsistent().get(0).path());
    }
}
