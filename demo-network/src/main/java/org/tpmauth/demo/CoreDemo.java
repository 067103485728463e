package org.tpmauth.demo;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.tpmauth.tls.TpmContentSigner;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmInfo;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.commands.PcrExtend;
import org.tpmauth.tss.commands.PcrRead;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtHa;

/**
 * The core demo: a machine key born in the TPM, a CSR signed inside the TPM, a certificate from a
 * throwaway CA, a signature checked against that certificate, and the PCRs. One line per step,
 * with what happened, the time it took and PASS / FAIL.
 */
public final class CoreDemo {
    /** PCR 16 is the debug PCR: resettable and unused by firmware, so the demo may extend it. */
    private static final int DEMO_PCR = 16;

    private final Tpm tpm;
    private final Path outDir;
    private final PrintStream out;
    private final List<Step> steps = new ArrayList<>();

    /** One step's outcome. */
    public record Step(String title, boolean passed, double millis, String detail) {
    }

    public CoreDemo(Tpm tpm, Path outDir, PrintStream out) {
        this.tpm = tpm;
        this.outDir = outDir;
        this.out = out;
    }

    /** Runs every step; returns them (all passed means the demo passed). */
    public List<Step> run() throws Exception {
        Files.createDirectories(outDir);
        TpmInfo info = TpmInfo.read(tpm);
        out.printf("TPM: %s %s, firmware %s, TPM %s; PCR banks: %s%n", info.manufacturer(), info.vendor(),
                info.firmware(), info.specVersion(), String.join(", ", info.pcrBanks()));
        out.printf("Files go to %s%n%n", outDir);
        try (TpmKeys keys = new TpmKeys(tpm)) {
            String cn = "machine-" + HexFormat.of().formatHex(tpm.execute(new GetRandom(4)).randomBytes());
            Path keyFile = outDir.resolve("machine-key.pem");
            Tss2KeyFile file = timed("Machine key created inside the TPM (ec-p256); the private part never leaves it",
                    () -> {
                        Tss2KeyFile f = keys.create(KeyAlgorithm.EC_P256, new byte[0], 0x40000001);
                        f.writePem(keyFile);
                        return f;
                    }, f -> "key file " + keyFile.getFileName() + " (TSS2 PRIVATE KEY, also readable by "
                            + "openssl -provider tpm2 and openconnect)");
            TpmKey key = keys.load(file, new byte[0]);

            PKCS10CertificationRequest csr = timed("CSR for CN=" + cn + " signed inside the TPM (SHA256withECDSA)",
                    () -> {
                        PKCS10CertificationRequest r = new JcaPKCS10CertificationRequestBuilder(
                                new X500Name("CN=" + cn), key.publicKey())
                                .build(new TpmContentSigner(keys, key, TpmAlg.SHA256));
                        writePem(outDir.resolve("machine.csr"), "CERTIFICATE REQUEST", r.getEncoded());
                        return r;
                    }, r -> "machine.csr; the CA checked its signature with the TPM key's public key");

            ThrowawayCa ca = new ThrowawayCa("tpmauth demo CA");
            X509Certificate cert = timed("Certificate issued by a throwaway CA, valid 8 hours", () -> {
                X509Certificate c = ca.issueClientCertificate(csr, Duration.ofHours(8));
                c.verify(ca.certificate().getPublicKey());
                writePem(outDir.resolve("machine.crt"), "CERTIFICATE", c.getEncoded());
                writePem(outDir.resolve("ca.crt"), "CERTIFICATE", ca.certificate().getEncoded());
                if (!Arrays.equals(c.getPublicKey().getEncoded(), key.publicKey().getEncoded())) {
                    throw new IllegalStateException("the certificate does not carry the TPM key");
                }
                return c;
            }, c -> "machine.crt: " + c.getSubjectX500Principal().getName() + ", issuer "
                    + c.getIssuerX500Principal().getName() + ", serial " + c.getSerialNumber().toString(16));

            byte[] message = ("hello from " + cn + "\n").getBytes(StandardCharsets.UTF_8);
            byte[] signature = timed("Message signed by the TPM, verified with the certificate's public key", () -> {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(message);
                byte[] sig = keys.sign(key, digest, TpmAlg.SHA256, org.tpmauth.tss.keys.SigningScheme.ECDSA);
                if (!verify(cert, message, sig)) {
                    throw new IllegalStateException("the signature does not verify");
                }
                Files.write(outDir.resolve("message.txt"), message);
                Files.write(outDir.resolve("message.sig"), sig);
                return sig;
            }, s -> "message.sig (" + s.length + " bytes DER ECDSA)");

            timed("A tampered message is rejected", () -> {
                byte[] tampered = message.clone();
                tampered[0] ^= 1;
                if (verify(cert, tampered, signature)) {
                    throw new IllegalStateException("a tampered message verified");
                }
                return Boolean.TRUE;
            }, b -> "one changed bit, signature refused");

            timed("PCRs read; PCR " + DEMO_PCR + " extended and checked against a software replay", () -> {
                TpmsPcrSelection sel = TpmsPcrSelection.of(TpmAlg.SHA256, 0, 1, 2, 3, 4, 5, 6, 7, DEMO_PCR);
                PcrRead.Values before = PcrRead.readAll(tpm, List.of(sel));
                byte[] event = MessageDigest.getInstance("SHA-256").digest("tpmauth demo".getBytes(StandardCharsets.UTF_8));
                tpm.execute(new PcrExtend(DEMO_PCR, List.of(new TpmtHa(TpmAlg.SHA256, event))));
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(before.get(TpmAlg.SHA256, DEMO_PCR));
                byte[] expected = md.digest(event);
                byte[] after = PcrRead.readAll(tpm, List.of(TpmsPcrSelection.of(TpmAlg.SHA256, DEMO_PCR)))
                        .get(TpmAlg.SHA256, DEMO_PCR);
                if (!Arrays.equals(expected, after)) {
                    throw new IllegalStateException("PCR " + DEMO_PCR + " differs from the replay");
                }
                for (int pcr = 0; pcr < 8; pcr++) {
                    out.printf("          sha256 PCR %2d = %s%n", pcr, HexFormat.of().formatHex(before.get(TpmAlg.SHA256, pcr)));
                }
                return after;
            }, v -> "sha256 PCR " + DEMO_PCR + " = " + HexFormat.of().formatHex(v).substring(0, 16) + "...");
            keys.unload(key);
        }
        report();
        return List.copyOf(steps);
    }

    private void report() {
        long passed = steps.stream().filter(Step::passed).count();
        out.println();
        out.printf("Result: %d of %d steps passed.%n", passed, steps.size());
        out.println("Check it yourself with plain openssl:");
        out.printf("  openssl verify -CAfile %s %s%n", outDir.resolve("ca.crt"), outDir.resolve("machine.crt"));
        out.printf("  openssl x509 -in %s -pubkey -noout > /tmp/machine-pub.pem%n", outDir.resolve("machine.crt"));
        out.printf("  openssl dgst -sha256 -verify /tmp/machine-pub.pem -signature %s %s%n",
                outDir.resolve("message.sig"), outDir.resolve("message.txt"));
    }

    private static boolean verify(X509Certificate cert, byte[] message, byte[] signature) throws Exception {
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(cert.getPublicKey());
        v.update(message);
        return v.verify(signature);
    }

    private static void writePem(Path path, String type, byte[] der) throws Exception {
        try (PemWriter w = new PemWriter(Files.newBufferedWriter(path))) {
            w.writeObject(new PemObject(type, der));
        }
    }

    /** An action that may fail. */
    @FunctionalInterface
    private interface Action<T> {
        T run() throws Exception;
    }

    /** Describes a step's result for its detail line. */
    @FunctionalInterface
    private interface Detail<T> {
        String of(T value);
    }

    private <T> T timed(String title, Action<T> action, Detail<T> detail) throws DemoStepException {
        long start = System.nanoTime();
        out.printf("[%d] %s%n", steps.size() + 1, title);
        try {
            T value = action.run();
            double ms = (System.nanoTime() - start) / 1e6;
            String d = detail.of(value);
            steps.add(new Step(title, true, ms, d));
            out.printf("    PASS  %8.1f ms  %s%n", ms, d);
            return value;
        } catch (Exception e) {
            double ms = (System.nanoTime() - start) / 1e6;
            steps.add(new Step(title, false, ms, String.valueOf(e.getMessage())));
            out.printf("    FAIL  %8.1f ms  %s%n", ms, e.getMessage());
            throw new DemoStepException(title, e);
        }
    }

    /** A step failed; the demo stops there (later steps build on it). */
    public static final class DemoStepException extends Exception {
        private static final long serialVersionUID = 1L;

        DemoStepException(String step, Exception cause) {
            super("demo step failed: " + step + ": " + cause.getMessage(), cause);
        }
    }
}
