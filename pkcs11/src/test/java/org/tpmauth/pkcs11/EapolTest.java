package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * wpa_supplicant's eapol_test with the key in the tpmauth token (pkcs11_module_path = p11-kit-client.so,
 * pkcs11: URIs for client_cert and private_key) against FreeRADIUS on 127.0.0.1: EAP-TLS with TLS 1.2
 * and 1.3, EC and RSA keys, accepted; a server whose CA the client does not trust is rejected.
 */
class EapolTest {
    private static final String SECRET = "tpmauth-radius-secret";
    @TempDir
    static Path work;
    private static TpmKeys keys;
    private static Pkcs11Server server;
    private static Process radius;
    private static int port;
    private static TestKeystore store;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        store = TestKeystore.get();
        keys = new TpmKeys(TestKeystore.tpm());
        server = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null), work.resolve("p11.sock"),
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
        // the RADIUS server's own software key, from the same test CA
        Programs.openssl(work, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "radius.key", "-out", "radius.csr", "-subj", "/CN=radius").ok();
        Programs.openssl(store.root, "x509", "-req", "-in", work.resolve("radius.csr").toString(), "-CA", "ca.pem",
                "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-out", work.resolve("radius.pem").toString()).ok();
        Programs.openssl(work, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "foreign.key", "-out", "foreign-ca.pem", "-subj", "/CN=foreign CA", "-days", "1").ok();
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path raddb = Files.createDirectories(work.resolve("raddb"));
        Files.createDirectories(raddb.resolve("run"));
        Files.writeString(raddb.resolve("radiusd.conf"), radiusConfig(raddb));
        radius = new ProcessBuilder("freeradius", "-X", "-d", raddb.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("radius.log").toFile()).start();
        for (int i = 0; i < 400 && !Files.readString(work.resolve("radius.log")).contains("Ready to process requests"); i++) {
            assertTrue(radius.isAlive(), () -> "freeradius exited: " + read(work.resolve("radius.log")));
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (radius != null) {
            radius.destroy();
            radius.waitFor(5, TimeUnit.SECONDS);
        }
        server.close();
        keys.close();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A minimal raddb: EAP-TLS only, TLS 1.2 and 1.3, client certificates from the test CA. */
    private static String radiusConfig(Path raddb) {
        return """
                prefix = /usr
                raddbdir = %s
                confdir = ${raddbdir}
                logdir = ${raddbdir}
                run_dir = ${raddbdir}/run
                libdir = /usr/lib/freeradius
                pidfile = ${run_dir}/radiusd.pid
                security {
                	allow_core_dumps = no
                }
                client local {
                	ipaddr = 127.0.0.1
                	secret = %s
                }
                modules {
                	eap {
                		default_eap_type = tls
                		tls-config tls-common {
                			private_key_file = %s
                			certificate_file = %s
                			ca_file = %s
                			tls_min_version = "1.2"
                			tls_max_version = "1.3"
                		}
                		tls {
                			tls = tls-common
                		}
                	}
                }
                server default {
                	listen {
                		type = auth
                		ipaddr = 127.0.0.1
                		port = %d
                	}
                	authorize {
                		eap {
                			ok = return
                		}
                	}
                	authenticate {
                		eap
                	}
                }
                """.formatted(raddb, SECRET, work.resolve("radius.key"), work.resolve("radius.pem"), store.caPem, port);
    }

    private static Programs.Result eapol(String alias, String tls, Path ca) throws IOException {
        String phase1 = tls.equals("1.3") ? "tls_disable_tlsv1_3=0" : "tls_disable_tlsv1_3=1";
        Path conf = work.resolve("eapol-" + alias + "-" + tls + ".conf");
        // wpa_supplicant hands the module path to libp11's engine only when it loads the engine by path
        Files.writeString(conf, """
                pkcs11_engine_path=/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so
                pkcs11_module_path=%s
                network={
                    key_mgmt=IEEE8021X
                    eap=TLS
                    identity="device-%s"
                    ca_cert="%s"
                    client_cert="pkcs11:token=tpmauth;object=%s;type=cert"
                    private_key="pkcs11:token=tpmauth;object=%s;type=private"
                    phase1="%s"
                    eapol_flags=0
                }
                """.formatted(Programs.CLIENT_MODULE, alias, ca, alias, alias, phase1));
        return Programs.run(work, Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + server.socket()), "eapol_test",
                "-c", conf.toString(), "-a", "127.0.0.1", "-p", String.valueOf(port), "-s", SECRET, "-r", "0", "-t", "20");
    }

    @ParameterizedTest
    @CsvSource({"ec, 1.3", "ec, 1.2", "rsa, 1.3", "rsa, 1.2"})
    void eapTlsThroughTheTokenIsAccepted(String alias, String tls) throws Exception {
        Programs.Result r = eapol(alias, tls, store.caPem);
        assertEquals(0, r.code(), () -> r.out().lines().limit(120).reduce("", (a, b) -> a + "\n" + b) + r.err()
                + "\nTOKEN: " + LOG);
        assertTrue(r.out().contains("SUCCESS"), r.out());
        assertTrue(r.out().contains(tls.equals("1.3") ? "TLSv1.3" : "TLSv1.2"), "negotiated TLS " + tls);
    }

    @Test
    void serverFromAForeignCaIsRejected() throws Exception {
        Programs.Result r = eapol("ec", "1.3", work.resolve("foreign-ca.pem"));
        assertNotEquals(0, r.code());
        assertTrue(r.out().contains("FAILURE") || r.out().contains("certificate verify failed")
                || r.out().contains("unable to get local issuer"), r.out());
    }
}
