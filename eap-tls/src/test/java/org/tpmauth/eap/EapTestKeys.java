package org.tpmauth.eap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tls.testing.WpaSupplicant;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.LibtpmsExtension;
import org.tpmauth.tss.types.TpmHandles;

/**
 * The EAP tests' keys, made once per JVM: a CA, a software server key, TPM client keys (on the JVM's
 * libtpms, behind a resource manager) with certificates and files, and a foreign CA with a client.
 */
public final class EapTestKeys {
    private static EapTestKeys instance;

    public final Path dir;
    public final TestPki pki;
    public final TestPki foreign;
    public final Path caPem;
    public final TlsIdentity server;
    public final Path serverCertPem;
    public final Path serverKeyPem;
    public final TlsIdentity foreignClient;
    public final TpmKeys keys;
    private final Map<KeyAlgorithm, Path> keyFiles = new EnumMap<>(KeyAlgorithm.class);
    private final Map<KeyAlgorithm, TlsIdentity> tpmClients = new EnumMap<>(KeyAlgorithm.class);

    /** The in-process TPM behind a resource manager (more keys than the TPM's three object slots). */
    private static final Tpm MANAGED = new Tpm(LibtpmsExtension.tpm().tcti(), true);

    private EapTestKeys() throws Exception {
        dir = Files.createTempDirectory("tpmauth-eap");
        dir.toFile().deleteOnExit();
        pki = new TestPki("tpmauth EAP test CA");
        foreign = new TestPki("foreign CA");
        caPem = TestPki.writePem(dir.resolve("ca.pem"), pki.root().certificate());
        KeyPair serverKey = TestPki.ecKey();
        server = new TlsIdentity(serverKey.getPrivate(), TestPki.chain(pki.root(), serverKey.getPublic(), "radius"));
        serverCertPem = TestPki.writePem(dir.resolve("server.crt.pem"), server.chain());
        serverKeyPem = TestPki.writePem(dir.resolve("server.key.pem"), serverKey.getPrivate());
        KeyPair foreignKey = TestPki.ecKey();
        foreignClient = new TlsIdentity(foreignKey.getPrivate(),
                TestPki.chain(foreign.root(), foreignKey.getPublic(), "stranger"));
        keys = new TpmKeys(MANAGED);
    }

    public static synchronized EapTestKeys get() throws Exception {
        if (instance == null) {
            instance = new EapTestKeys();
        }
        return instance;
    }

    /** A TPM client key of {@code algorithm} (no password) with its certificate from the test CA. */
    public synchronized TlsIdentity tpmClient(KeyAlgorithm algorithm) throws Exception {
        TlsIdentity id = tpmClients.get(algorithm);
        if (id == null) {
            Tss2KeyFile file = keys.create(algorithm, new byte[0], TpmHandles.RH_OWNER);
            Path path = dir.resolve(algorithm.cliName() + ".key.pem");
            file.writePem(path);
            TpmPrivateKey key = TpmPrivateKey.of(keys, keys.load(file, new byte[0]));
            id = new TlsIdentity(key, TestPki.chain(pki.root(), key.publicKey(), "device-" + algorithm.cliName()));
            TestPki.writePem(dir.resolve(algorithm.cliName() + ".crt.pem"), id.chain());
            keyFiles.put(algorithm, path);
            tpmClients.put(algorithm, id);
        }
        return id;
    }

    /** The TSS2 key file of {@link #tpmClient}. */
    public synchronized Path keyFile(KeyAlgorithm algorithm) throws Exception {
        tpmClient(algorithm);
        return keyFiles.get(algorithm);
    }

    /** The certificate file of {@link #tpmClient}. */
    public Path certFile(KeyAlgorithm algorithm) throws Exception {
        tpmClient(algorithm);
        return dir.resolve(algorithm.cliName() + ".crt.pem");
    }

    public List<X509Certificate> ca() {
        return List.of(pki.root().certificate());
    }

    /**
     * wpa_supplicant -D wired on {@code iface} in {@code netns} as {@code identity}, with a software key
     * and certificate from the test CA (TLS 1.3 allowed); files and log in {@code dir}.
     */
    public LoggedProcess wpaSupplicant(Path dir, String netns, String iface, String identity) throws Exception {
        KeyPair key = TestPki.ecKey();
        Path cert = TestPki.writePem(dir.resolve(identity + ".crt.pem"), TestPki.chain(pki.root(), key.getPublic(),
                identity));
        Path keyPem = TestPki.writePem(dir.resolve(identity + ".key.pem"), key.getPrivate());
        Path conf = Files.writeString(dir.resolve(identity + ".wpa.conf"), WpaSupplicant.config("ap_scan=0\n",
                identity, caPem, WpaSupplicant.fileCredentials(cert, keyPem), "1.3"));
        return WpaSupplicant.startWired(netns, iface, conf, dir.resolve(identity + ".wpa.log"), Map.of());
    }
}
