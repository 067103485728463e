package org.tpmauth.attestation.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.PcrExtend;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtHa;

/**
 * IMA logs as the kernel writes them (binary_runtime_measurements and ascii_runtime_measurements,
 * templates ima-ng and ima-sig), and what the kernel extends into PCR 10 for each entry, so that a test
 * can measure them into a TPM as a running machine would.
 */
public final class ImaLogs {
    private static final HexFormat HEX = HexFormat.of();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private final StringBuilder ascii = new StringBuilder();
    private final List<byte[]> templateData = new ArrayList<>();
    private final List<Boolean> violations = new ArrayList<>();

    /** An entry on PCR 10 for a file with this sha256 digest (ima-sig: with this signature, may be empty). */
    public ImaLogs add(String template, String path, byte[] fileHash, byte[] sig, boolean violation) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        field(data, concat("sha256:\0".getBytes(StandardCharsets.US_ASCII), fileHash));
        field(data, (path + "\0").getBytes(StandardCharsets.UTF_8));
        if (template.equals("ima-sig")) {
            field(data, sig);
        }
        byte[] hash = violation ? new byte[20] : hash("SHA-1", data.toByteArray());
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
        templateData.add(data.toByteArray());
        violations.add(violation);
        return this;
    }

    /** boot_aggregate, two files (ima-ng), a signed and an unsigned one (ima-sig), a violation. */
    public static ImaLogs sample() {
        return new ImaLogs().add("ima-ng", "boot_aggregate", filled(1), null, false)
                .add("ima-ng", "/usr/bin/bash", filled(2), null, false)
                .add("ima-sig", "/usr/lib/with space.so", filled(3), HEX.parseHex("030204aabbccdd"), false)
                .add("ima-sig", "/etc/unsigned", filled(4), new byte[0], false)
                .add("ima-ng", "/var/log/written", filled(5), null, true);
    }

    /** 32 bytes of {@code v}: the sha256 file digest the sample uses. */
    public static byte[] filled(int v) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) v);
        return b;
    }

    public byte[] binary() {
        return binary.toByteArray();
    }

    public String ascii() {
        return ascii.toString();
    }

    /**
     * Extends PCR 10 of the sha1 and sha256 banks as the kernel does for each entry: the template hash
     * (sha1) and the sha256 of the template data; all ones for a violation.
     */
    public void measureInto(Tpm tpm) {
        for (int i = 0; i < templateData.size(); i++) {
            byte[] sha1 = violations.get(i) ? ones(20) : hash("SHA-1", templateData.get(i));
            byte[] sha256 = violations.get(i) ? ones(32) : hash("SHA-256", templateData.get(i));
            tpm.execute(new PcrExtend(10, List.of(new TpmtHa(TpmAlg.SHA1, sha1), new TpmtHa(TpmAlg.SHA256, sha256))));
        }
    }

    private static byte[] ones(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 0xff);
        return b;
    }

    private static byte[] hash(String alg, byte[] data) {
        try {
            return MessageDigest.getInstance(alg).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void field(ByteArrayOutputStream out, byte[] v) {
        out.writeBytes(le(v.length));
        out.writeBytes(v);
    }

    private static byte[] le(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
