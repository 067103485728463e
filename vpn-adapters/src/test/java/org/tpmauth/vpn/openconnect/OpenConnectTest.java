package org.tpmauth.vpn.openconnect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.transport.TctiConfig;
import org.tpmauth.vpn.openvpn.VpnTestKeys;

/**
 * TSS2 key files written by tpmauth (EC P-256 and RSA) work in openconnect unchanged: {@code openconnect
 * --authenticate} against ocserv with certificate authentication, TLS 1.2 and 1.3, openconnect reaching the
 * class's swtpm through {@link OpenConnectTpm} (a private D-Bus with tpm2-abrmd). A certificate from a
 * foreign CA is refused; an in-process TPM is refused with a clear message.
 */
class OpenConnectTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    static VpnTestKeys keys;
    static OpenConnectTpm tpm;
    static Ocserv tls13;
    static Ocserv tls12;

    @BeforeAll
    static void start() throws Exception {
        keys = new VpnTestKeys(SWTPM, dir);
        for (KeyAlgorithm a : List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_2048)) {
            keys.keyFile(a);
            keys.certFile(a, keys.pki);
        }
        keys.certFile(KeyAlgorithm.EC_P256, keys.foreign);
        keys.close(); // tpm2-abrmd takes the swtpm's one connection
        SWTPM.disconnect();
        Path run = Files.createDirectory(dir.resolve("run"));
        tpm = OpenConnectTpm.forTcti(TctiConfig.parse(SWTPM.tcti()), run);
        KeyPair server = TestPki.rsaKey();
        Path serverCert = TestPki.writePem(dir.resolve("ocserv.crt.pem"), keys.pki.issue(server.getPublic(), "ocserv"));
        Path serverKey = TestPki.writePem(dir.resolve("ocserv.key.pem"), server.getPrivate());
        tls13 = Ocserv.start(dir, serverCert, serverKey, keys.caPem, false);
        tls12 = Ocserv.start(dir, serverCert, serverKey, keys.caPem, true);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {tls12, tls13, tpm}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep stopping the others
            }
        }
    }

    record Run(int code, String output) {
    }

    static Run authenticate(KeyAlgorithm algorithm, Path cert, Ocserv server) throws Exception {
        ProcessBuilder builder = OpenConnect.command(keys.keyFile(algorithm), cert, server.url(),
                List.of("--authenticate", "--non-inter", "--protocol=anyconnect", "--cafile", keys.caPem.toString()), tpm);
        Process p = builder.redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), output);
    }

    @ParameterizedTest(name = "{0} TLS {1}")
    @CsvSource({"EC_P256, 1.3", "EC_P256, 1.2", "RSA_2048, 1.3", "RSA_2048, 1.2"})
    void authenticatesWithTpmKey(KeyAlgorithm algorithm, String tls) throws Exception {
        Ocserv server = tls.equals("1.2") ? tls12 : tls13;
        Run run = authenticate(algorithm, keys.certFile(algorithm, keys.pki), server);
        assertEquals(0, run.code(), run.output() + "\n--- ocserv:\n" + server.log());
        assertTrue(run.output().contains("COOKIE="), run.output());
        assertTrue(run.output().contains("(TLS" + tls + ")"), run.output());
    }

    @Test
    void foreignCertificateIsRefused() throws Exception {
        Run run = authenticate(KeyAlgorithm.EC_P256, dir.resolve("ec-p256-foreign.crt.pem"), tls13);
        assertNotEquals(0, run.code(), run.output());
        assertTrue(!run.output().contains("COOKIE="), run.output());
    }

    @Test
    void inProcessTpmIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> OpenConnectTpm.forTcti(TctiConfig.parse("libtpms:" + dir), dir));
        assertTrue(e.getMessage().contains("cannot reach tpmauth's in-process TPM"), e.getMessage());
    }
}
