package org.tpmauth.vpn.openvpn;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.EnumMap;
import java.util.Map;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmHandles;

/**
 * The material of one test class: a CA, a software server key and certificate, a foreign CA, and TPM key
 * files on the class's swtpm, each with a certificate from the CA (and, on demand, from the foreign CA).
 */
public final class VpnTestKeys {
    public final Path dir;
    public final TestPki pki;
    public final TestPki foreign;
    public final Path caPem;
    public final Path serverCert;
    public final Path serverKey;
    /** A resource-managed Tpm on the class's swtpm: the keys stay loaded, beyond its three slots. */
    public final Tpm tpm;
    public final TpmKeys keys;
    private final Map<KeyAlgorithm, Path> keyFiles = new EnumMap<>(KeyAlgorithm.class);
    private final Map<KeyAlgorithm, TpmPrivateKey> loaded = new EnumMap<>(KeyAlgorithm.class);

    /** Releases the TPM (the loaded keys are flushed), e.g. before another program uses the swtpm. */
    public void close() {
        keys.close();
        tpm.close();
    }

    public VpnTestKeys(SwtpmExtension swtpm, Path dir) throws Exception {
        this.dir = dir;
        pki = new TestPki("tpmauth vpn test CA");
        foreign = new TestPki("foreign CA");
        caPem = TestPki.writePem(dir.resolve("ca.pem"), pki.ca);
        KeyPair server = TestPki.ecKey();
        serverCert = TestPki.writePem(dir.resolve("server.crt.pem"), pki.issue(server.getPublic(), "server"));
        serverKey = TestPki.writePem(dir.resolve("server.key.pem"), server.getPrivate());
        tpm = new Tpm(swtpm.openTpm().tcti(), true);
        keys = new TpmKeys(tpm);
    }

    /** The TPM key file of {@code algorithm} (no password), created on first use. */
    public synchronized Path keyFile(KeyAlgorithm algorithm) throws Exception {
        Path file = keyFiles.get(algorithm);
        if (file == null) {
            Tss2KeyFile key = keys.create(algorithm, new byte[0], TpmHandles.RH_OWNER);
            file = dir.resolve(algorithm.cliName() + ".key.pem");
            key.writePem(file);
            keyFiles.put(algorithm, file);
        }
        return file;
    }

    /** The loaded TPM key of {@code algorithm}. */
    public synchronized TpmPrivateKey key(KeyAlgorithm algorithm) throws Exception {
        TpmPrivateKey key = loaded.get(algorithm);
        if (key == null) {
            key = TpmPrivateKey.of(keys, keys.load(Tss2KeyFile.read(keyFile(algorithm)), new byte[0]));
            loaded.put(algorithm, key);
        }
        return key;
    }

    /** A certificate for the TPM key of {@code algorithm} from {@code ca}. */
    public X509Certificate certificate(KeyAlgorithm algorithm, TestPki ca) throws Exception {
        return ca.issue(key(algorithm).publicKey(), "device-" + algorithm.cliName());
    }

    /** {@link #certificate} in a PEM file. */
    public Path certFile(KeyAlgorithm algorithm, TestPki ca) throws Exception {
        return TestPki.writePem(dir.resolve(algorithm.cliName() + (ca == pki ? "" : "-foreign") + ".crt.pem"),
                certificate(algorithm, ca));
    }
}
