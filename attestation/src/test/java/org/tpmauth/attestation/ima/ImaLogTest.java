package org.tpmauth.attestation.ima;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.tpmauth.tss.types.TpmAlg;

/** IMA logs in the kernel's binary and ASCII forms: same entries, same replay, allowlist checks. */
class ImaLogTest {
    private static final HexFormat HEX = HexFormat.of();

    /** A log as the kernel writes it: boot_aggregate, two files (ima-ng), a signed one (ima-sig), a violation. */
    static final class Builder {
        final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        final StringBuilder ascii = new StringBuilder();

        Builder add(String template, String path, byte[] fileHash, byte[] sig, boolean violation) throws Exception {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            field(data, concat("sha256:\0".getBytes(StandardCharsets.US_ASCII), fileHash));
            field(data, (path + "\0").getBytes(StandardCharsets.UTF_8));
            if (template.equals("ima-sig")) {
                field(data, sig);
            }
            byte[] hash = violation ? new byte[20] : MessageDigest.getInstance("SHA-1").digest(data.toByteArray());
            binary.writeBytes(le(10));
            binary.writeBytes(hash);
            binary.writeBytes(le(template.length()));
            binary.writeBytes(template.getBytes(StandardCharsets.US_ASCII));
            binary.writeBytes(le(data.size()));
            binary.writeBytes(data.toByteArray());
            ascii.append("10 ").append(HEX.formatHex(hash)).append(' ').append(template).append(" sha256:")
                    .append(HEX.formatHex(fileHash)).append(' ').append(path);
            if (template.equals("ima-sig") && sig.length > 0) {
                ascii.append(' ').append(HEX.formatHex(sig));
            }
            ascii.append('\n');
            return this;
        }

        static void field(ByteArrayOutputStream out, byte[] v) {
            out.writeBytes(le(v.length));
            out.writeBytes(v);
        }

        static byte[] le(int v) {
            return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
        }

        static byte[] concat(byte[] a, byte[] b) {
            byte[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }

    static Builder sample() throws Exception {
        return new Builder().add("ima-ng", "boot_aggregate", filled(1), null, false)
                .add("ima-ng", "/usr/bin/bash", filled(2), null, false)
                .add("ima-sig", "/usr/lib/with space.so", filled(3), HEX.parseHex("030204aabbccdd"), false)
                .add("ima-sig", "/etc/unsigned", filled(4), new byte[0], false)
                .add("ima-ng", "/var/log/written", filled(5), null, true);
    }

    private static byte[] filled(int v) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) v);
        return b;
    }

    @Test
    void binaryAndAsciiFormsParseToTheSameEntriesAndReplay() throws Exception {
        Builder b = sample();
        ImaLog bin = ImaLog.parse(b.binary.toByteArray());
        ImaLog txt = ImaLog.parse(b.ascii.toString().getBytes(StandardCharsets.UTF_8));
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
        ImaLog log = ImaLog.parse(sample().binary.toByteArray());
        RefState.Ima rules = new RefState.Ima(Map.of("/usr/bin/bash", List.of(HEX.formatHex(filled(2))),
                "/etc/unsigned", List.of(HEX.formatHex(filled(9)))), List.of("/var/log/.*", "/usr/lib/.*"));
        List<Failure> f = ImaPolicy.evaluate(rules, log);
        assertEquals(1, f.size(), f.toString());
        assertTrue(f.get(0).message().contains("IMA entry 3: /etc/unsigned"), f.get(0).message());
        assertEquals("3", f.get(0).context().get("event"));
    }

    @Test
    void malformedAndEditedLogsAreCaught() throws Exception {
        byte[] bin = sample().binary.toByteArray();
        EventLogFormatException e = assertThrows(EventLogFormatException.class,
                () -> ImaLog.parse(Arrays.copyOf(bin, bin.length - 2)));
        assertEquals(4, e.eventIndex());
        assertThrows(EventLogFormatException.class, () -> ImaLog.parse(new byte[0]));
        assertThrows(EventLogFormatException.class, () -> ImaLog.parse("10 zz ima-ng sha256:00 /x\n".getBytes()));
        String ascii = sample().ascii.toString().replace("/usr/bin/bash", "/usr/bin/evil");
        ImaLog edited = ImaLog.parse(ascii.getBytes(StandardCharsets.UTF_8));
        assertEquals(1, edited.inconsistent().size());
        assertEquals("/usr/bin/evil", edited.inconsistent().get(0).path());
    }
}
