package org.tpmauth.pkcs11;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tls.TpmCsr;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.LibtpmsExtension;
import org.tpmauth.tss.types.TpmHandles;

/**
 * A keystore directory for the tests (made once per JVM on the JVM's libtpms, or on another TPM with
 * {@link #on}): an EC P-256 key {@code ec} and an RSA-2048 key {@code rsa}, neither with a password, each
 * with a certificate that openssl signs from the key's CSR with the test CA (ca.pem, ca.key in the parent
 * directory).
 */
final class TestKeystore {
    private static TestKeystore instance;
    /** The in-process TPM behind a resource manager (the token keeps keys loaded). */
    private static final Tpm MANAGED = new Tpm(LibtpmsExtension.tpm().tcti(), true);

    final Path root;
    final Path dir;
    final Path caPem;
    private final TestPki pki;

    private TestKeystore(Tpm tpm) throws Exception {
        root = Files.createTempDirectory("tpmauth-pkcs11");
        dir = Files.createDirectory(root.resolve("keystore"));
        pki = new TestPki("tpmauth pkcs11 test CA");
        caPem = TestPki.writePem(root.resolve("ca.pem"), pki.ca);
        TestPki.writePem(root.resolve("ca.key"), pki.caKey.getPrivate());
        Files.writeString(root.resolve("client.ext"), "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n");
        try (TpmKeys keys = new TpmKeys(tpm)) {
            add(keys, dir, root, "ec", KeyAlgorithm.EC_P256, new byte[0]);
            add(keys, dir, root, "rsa", KeyAlgorithm.RSA_2048, new byte[0]);
        }
    }

    static synchronized TestKeystore get() throws Exception {
        if (instance == null) {
            instance = new TestKeystore(MANAGED);
        }
        return instance;
    }

    /** A new keystore whose keys live in {@code tpm} (a resource-managed one: the token keeps keys loaded). */
    static TestKeystore on(Tpm tpm) throws Exception {
        return new TestKeystore(tpm);
    }

    static Tpm tpm() {
        return MANAGED;
    }

    /** A software EC key {@code dir/NAME.key} and its certificate {@code dir/NAME.pem} (CN=NAME) from the test CA. */
    void issueSoftware(Path dir, String name) throws Exception {
        KeyPair key = TestPki.ecKey();
        TestPki.writePem(dir.resolve(name + ".key"), key.getPrivate());
        issue(key.getPublic(), name, dir.resolve(name + ".pem"));
    }

    /** A certificate (CN={@code cn}) for {@code key} from the test CA, written to {@code pem}. */
    Path issue(PublicKey key, String cn, Path pem) throws Exception {
        return TestPki.writePem(pem, pki.issue(key, cn));
    }

    /** Creates {@code ALIAS.key} in {@code dir} and its certificate {@code ALIAS.crt} from the CA in {@code ca}. */
    static void add(TpmKeys keys, Path dir, Path ca, String alias, KeyAlgorithm algorithm, byte[] password)
            throws Exception {
        Tss2KeyFile file = keys.create(algorithm, password, TpmHandles.RH_OWNER);
        file.writePem(dir.resolve(alias + ".key"));
        var key = keys.load(file, password);
        Path csr = ca.resolve(alias + ".csr.pem");
        Files.writeString(csr, TpmCsr.toPem(TpmCsr.create(keys, key, "CN=device-" + alias, List.of())));
        keys.unload(key);
        Programs.openssl(ca, "x509", "-req", "-in", csr.toString(), "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "1", "-extfile", "client.ext", "-out",
                dir.resolve(alias + ".crt").toString()).ok();
    }
}
