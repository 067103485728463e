package org.tpmauth.attestation.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.tpmauth.attestation.ek.EkCertificateIssuer;
import org.tpmauth.attestation.ek.EkCertificateVerifier;
import org.tpmauth.attestation.ek.EkTemplate;
import org.tpmauth.attestation.ek.EndorsementKey;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * Manufactures a test's swtpm like a real TPM: {@code swtpm_setup --create-ek-cert} with swtpm's local
 * CA configured in the test's work directory (nothing system-wide), banks sha1 and sha256, an RSA L-1
 * EK certificate at 0x01C00002 and swtpm's P-384 one at 0x01C00016; then, as a manufacturer would,
 * a P-256 L-2 EK certificate issued by the same intermediate and written to 0x01C0000A with platform
 * authorization.
 */
public final class EkProvisioning {
    private final Path caDir;

    private EkProvisioning(Path caDir) {
        this.caDir = caDir;
    }

    /** Stops the extension's swtpm, manufactures its state, starts it again. */
    public static EkProvisioning manufacture(SwtpmExtension swtpm) {
        Path work = swtpm.workDir();
        Path ca = work.resolve("localca");
        try {
            Files.createDirectories(ca);
            Files.writeString(work.resolve("swtpm-localca.conf"), "statedir = " + ca + "\nsigningkey = "
                    + ca.resolve("signkey.pem") + "\nissuercert = " + ca.resolve("issuercert.pem") + "\ncertserial = "
                    + ca.resolve("certserial") + "\n");
            Files.writeString(work.resolve("swtpm-localca.options"),
                    "--platform-manufacturer tpmauth\n--platform-version 1.0\n--platform-model test\n");
            Files.writeString(work.resolve("swtpm_setup.conf"), "create_certs_tool = /usr/bin/swtpm_localca\n"
                    + "create_certs_tool_config = " + work.resolve("swtpm-localca.conf") + "\n"
                    + "create_certs_tool_options = " + work.resolve("swtpm-localca.options") + "\n");
            swtpm.disconnect();
            swtpm.kill();
            run(work, "swtpm_setup", "--tpm2", "--tpmstate", swtpm.stateDir().toString(), "--config",
                    work.resolve("swtpm_setup.conf").toString(), "--create-ek-cert", "--pcr-banks", "sha1,sha256",
                    "--overwrite");
            swtpm.restart();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EkProvisioning p = new EkProvisioning(ca);
        p.writeP256Certificate(swtpm.tpm());
        return p;
    }

    /** The directory with swtpm's local root and intermediate (plus their private keys, which are skipped). */
    public Path caDirectory() {
        return caDir;
    }

    /** The intermediate CA (CN=swtpm-localca) as a {@link TestCa}, to issue more certificates in its name. */
    public TestCa intermediate() {
        try (PEMParser pem = new PEMParser(Files.newBufferedReader(caDir.resolve("signkey.pem")))) {
            KeyPair keys = new JcaPEMKeyConverter().getKeyPair((PEMKeyPair) pem.readObject());
            X509Certificate cert = EkCertificateVerifier.readCertificates(
                    Files.readAllBytes(caDir.resolve("issuercert.pem"))).get(0);
            return new TestCa(keys.getPrivate(), cert);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeP256Certificate(Tpm tpm) {
        X509Certificate cert;
        try (EndorsementKey ek = EndorsementKey.create(tpm, EkTemplate.ECC_P256)) {
            cert = intermediate().issueEk(ek.publicKey(), 1);
        }
        writeNv(tpm, EkTemplate.ECC_P256.certificateIndex(), encoded(cert));
    }

    /** Defines an EK-certificate index with platform authorization and writes {@code data}. */
    public static void writeNv(Tpm tpm, int index, byte[] data) {
        EkCertificateIssuer.writeNv(tpm, index, data);
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void run(Path dir, String... command) {
        try {
            Path log = Files.createTempFile(dir, "cmd", ".log");
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", List.of(command)) + " failed:\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
