package org.tpmauth.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.EnumMap;
import java.util.Map;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.LibtpmsExtension;
import org.tpmauth.tss.types.TpmHandles;

/**
 * Test material shared by the TLS tests: one test CA, a software server key and certificate, and a
 * TPM key file (on the JVM's libtpms) with its certificate for each key type, made once per JVM.
 */
final class TestKeys {
    private static TestKeys instance;

    final Path dir;
    final TestPki pki;
    final Path caPem;
    final Path serverCert;
    final Path serverKey;
    private final Map<KeyAlgorithm, Path> keyFiles = new EnumMap<>(KeyAlgorithm.class);
    private final Map<KeyAlgorithm, Path> certFiles = new EnumMap<>(KeyAlgorithm.class);

    private TestKeys() throws Exception {
        dir = Files.createTempDirectory("tpmauth-tls");
        dir.toFile().deleteOnExit();
        pki = new TestPki("tpmauth test CA");
        caPem = TestPki.writePem(dir.resolve("ca.pem"), pki.ca);
        KeyPair server = TestPki.ecKey();
        serverCert = TestPki.writePem(dir.resolve("server.crt.pem"), pki.issue(server.getPublic(), "server"));
        serverKey = TestPki.writePem(dir.resolve("server.key.pem"), server.getPrivate());
    }

    static synchronized TestKeys get() throws Exception {
        if (instance == null) {
            instance = new TestKeys();
        }
        return instance;
    }

    /**
     * The in-process TPM behind a resource manager: these tests keep many keys loaded (and the
     * default secure session needs a slot too), more than the TPM's three object slots.
     */
    private static final Tpm MANAGED = new Tpm(LibtpmsExtension.tpm().tcti(), true);

    static Tpm tpm() {
        return MANAGED;
    }

    /** The TPM key file of {@code algorithm} (no password), created on first use. */
    synchronized Path keyFile(KeyAlgorithm algorithm) throws Exception {
        Path file = keyFiles.get(algorithm);
        if (file == null) {
            try (TpmKeys keys = new TpmKeys(tpm())) {
                Tss2KeyFile key = keys.create(algorithm, new byte[0], TpmHandles.RH_OWNER);
                file = dir.resolve(algorithm.cliName() + ".key.pem");
                key.writePem(file);
                X509Certificate cert = pki.issue(keys.load(key, new byte[0]).publicKey(), "device-" + algorithm.cliName());
                certFiles.put(algorithm, TestPki.writePem(dir.resolve(algorithm.cliName() + ".crt.pem"), cert));
            }
            keyFiles.put(algorithm, file);
        }
        return file;
    }

    /** The key of {@link #keyFile}, loaded through {@code keys}. */
    TpmPrivateKey privateKey(TpmKeys keys, KeyAlgorithm algorithm) throws Exception {
        return TpmPrivateKey.of(keys, keys.load(Tss2KeyFile.read(keyFile(algorithm)), new byte[0]));
    }

    /** The certificate of {@link #keyFile}. */
    synchronized Path certFile(KeyAlgorithm algorithm) throws Exception {
        keyFile(algorithm);
        return certFiles.get(algorithm);
    }
}
