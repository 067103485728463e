package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.Tools;

/**
 * wpa_supplicant's eapol_test with the key in the tpmauth token (libp11's engine, pkcs11_module_path =
 * p11-kit-client.so, pkcs11: URIs) against FreeRADIUS on 127.0.0.1: EAP-TLS with TLS 1.2 and 1.3, EC
 * and RSA keys, accepted; a server whose CA the client does not trust is rejected.
 */
class EapolTest {
    @TempDir
    static Path work;
    private static TpmKeys keys;
    private static Pkcs11Server server;
    private static Radius radius;
    private static TestKeystore store;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        store = TestKeystore.get();
        keys = new TpmKeys(TestKeystore.tpm());
        server = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null), work.resolve("p11.sock"),
                new PrintStream(LOG, true, StandardCharsets.UTF_8));
        radius = Radius.start(work, store);
        TestPki.writePem(work.resolve("foreign-ca.pem"), new TestPki("foreign CA").ca);
    }

    @AfterAll
    static void stop() throws Exception {
        if (radius != null) {
            radius.close();
        }
        server.close();
        keys.close();
    }

    private static Tools.Output eapol(String alias, String tls, Path ca) throws Exception {
        return radius.eapol("device-" + alias, Radius.TOKEN_GLOBALS, Radius.tokenCredentials(alias), tls, ca, 0,
                Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + server.socket()));
    }

    @ParameterizedTest
    @CsvSource({"ec, 1.3", "ec, 1.2", "rsa, 1.3", "rsa, 1.2"})
    void eapTlsThroughTheTokenIsAccepted(String alias, String tls) throws Exception {
        Tools.Output r = eapol(alias, tls, store.caPem);
        assertEquals(0, r.code(), () -> r.out().lines().limit(150).reduce("", (a, b) -> a + "\n" + b) + r.err()
                + "\ntoken: " + LOG);
        assertTrue(r.out().contains("SUCCESS"), r.out());
        assertTrue(r.out().contains("SSL: Using TLS version TLSv" + tls), "negotiated TLS " + tls);
    }

    /**
     * As NetworkManager's wpa_supplicant runs: no module path and no environment; libp11 loads p11-kit's
     * proxy, which finds the token through the module config 'tpmauth pkcs11 install' writes.
     */
    @Test
    void withoutModulePathThroughTheInstalledModuleConfig() throws Exception {
        String name = "tpmauth-eapol-" + ProcessHandle.current().pid();
        P11KitModuleConfig.install(P11KitModuleConfig.SYSTEM_DIR, name, server.socket());
        try {
            Tools.Output r = radius.eapol("device-ec", "pkcs11_engine_path=/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so\n",
                    Radius.tokenCredentials("ec"), "1.3", store.caPem, 0, Map.of());
            assertEquals(0, r.code(), () -> r.out().lines().limit(150).reduce("", (a, b) -> a + "\n" + b));
            assertTrue(r.out().contains("SUCCESS"), r.out());
        } finally {
            P11KitModuleConfig.uninstall(P11KitModuleConfig.SYSTEM_DIR, name);
        }
    }

    @Test
    void serverFromAForeignCaIsRejected() throws Exception {
        Tools.Output r = eapol("ec", "1.3", work.resolve("foreign-ca.pem"));
        assertNotEquals(0, r.code());
        assertTrue(r.out().contains("FAILURE"), r.out());
    }
}
