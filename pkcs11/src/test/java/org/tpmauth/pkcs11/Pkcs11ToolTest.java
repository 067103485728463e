package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.Tools;

/**
 * The real pkcs11-tool (OpenSC) through p11-kit's real client module against the tpmauth token: slots,
 * token, objects, ECDSA / PKCS#1 / PSS signatures that openssl verifies, and a token PIN that refuses
 * wrong PINs and then stops taking tries.
 */
class Pkcs11ToolTest {
    @TempDir
    static Path work;
    private static TpmKeys keys;
    private static Pkcs11Server open;
    private static Pkcs11Server withPin;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static TestKeystore store;

    @BeforeAll
    static void start() throws Exception {
        store = TestKeystore.get();
        keys = new TpmKeys(TestKeystore.tpm());
        PrintStream log = new PrintStream(LOG, true, StandardCharsets.UTF_8);
        open = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null), work.resolve("open.sock"), log);
        withPin = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth-pin", "1234".getBytes()),
                work.resolve("pin.sock"), log);
        Files.write(work.resolve("data"), "the data pkcs11-tool signs".getBytes());
        Files.write(work.resolve("digest"), MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(work.resolve("data"))));
        for (String alias : new String[] {"ec", "rsa"}) {
            Programs.openssl(work, "x509", "-in", store.dir.resolve(alias + ".crt").toString(), "-pubkey", "-noout",
                    "-out", alias + ".pub.pem").ok();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        open.close();
        withPin.close();
        keys.close();
    }

    private static String id(String alias) throws Exception {
        X509Certificate cert = Certificates.read(store.dir.resolve(alias + ".crt")).get(0);
        return HexFormat.of().formatHex(KeyObjects.id(cert.getPublicKey()));
    }

    @Test
    void listsSlotTokenAndObjects() throws Exception {
        String info = Programs.pkcs11Tool(work, open.socket(), "-I").ok().out();
        assertTrue(info.contains("Manufacturer     tpmauth") && info.contains("Cryptoki version 2.40"), info);
        String slots = Programs.pkcs11Tool(work, open.socket(), "-L").ok().out();
        assertTrue(slots.contains("token label        : tpmauth"), slots);
        assertTrue(slots.contains("token model        : TPM 2.0"), slots);
        String objects = Programs.pkcs11Tool(work, open.socket(), "-O").ok().out();
        assertTrue(objects.contains("Private Key Object; EC"), objects);
        assertTrue(objects.contains("Private Key Object; RSA"), objects);
        assertTrue(objects.contains("Public Key Object; RSA 2048 bits"), objects);
        assertTrue(objects.contains("Certificate Object; type = X.509 cert"), objects);
        assertTrue(objects.contains("label:      ec"), objects);
        assertTrue(objects.contains("ID:         " + id("ec")), objects);
        assertTrue(objects.contains("ID:         " + id("rsa")), objects);
        assertTrue(objects.contains("Access:     sensitive, always sensitive, never extractable, local"), objects);
        String mechanisms = Programs.pkcs11Tool(work, open.socket(), "-M").ok().out();
        assertTrue(mechanisms.contains("ECDSA"), mechanisms);
        assertTrue(mechanisms.contains("RSA-PKCS-PSS"), mechanisms);
    }

    /** Route 2: no module path and no environment, the token registered in /etc/pkcs11/modules. */
    @Test
    void proxyFindsTheInstalledToken() throws Exception {
        String name = "tpmauth-test-" + ProcessHandle.current().pid();
        Path config = P11KitModuleConfig.install(P11KitModuleConfig.SYSTEM_DIR, name, open.socket());
        try {
            Tools.Output r = Programs.run(work, Map.of(), "pkcs11-tool", "--module",
                    "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so", "--token-label", "tpmauth", "--sign", "--id",
                    id("ec"), "--mechanism", "ECDSA", "--signature-format", "openssl", "-i", "digest", "-o", "proxy.sig");
            assertEquals(0, r.code(), r::toString);
            Programs.openssl(work, "pkeyutl", "-verify", "-pubin", "-inkey", "ec.pub.pem", "-in", "digest", "-sigfile",
                    "proxy.sig").ok();
        } finally {
            assertTrue(P11KitModuleConfig.uninstall(P11KitModuleConfig.SYSTEM_DIR, name));
        }
        assertTrue(!Files.exists(config));
    }

    @Test
    void ecdsaSignatureVerifiesWithOpenssl() throws Exception {
        Programs.pkcs11Tool(work, open.socket(), "--sign", "--id", id("ec"), "--mechanism", "ECDSA",
                "--signature-format", "openssl", "-i", "digest", "-o", "ec.sig").ok();
        Programs.openssl(work, "pkeyutl", "-verify", "-pubin", "-inkey", "ec.pub.pem", "-in", "digest", "-sigfile",
                "ec.sig").ok();
    }

    @Test
    void rsaPkcs1SignatureVerifiesWithOpenssl() throws Exception {
        Programs.pkcs11Tool(work, open.socket(), "--sign", "--id", id("rsa"), "--mechanism", "SHA256-RSA-PKCS",
                "-i", "data", "-o", "rsa.sig").ok();
        Programs.openssl(work, "dgst", "-sha256", "-verify", "rsa.pub.pem", "-signature", "rsa.sig", "data").ok();
    }

    @Test
    void rsaPssSignatureVerifiesWithOpenssl() throws Exception {
        Programs.pkcs11Tool(work, open.socket(), "--sign", "--id", id("rsa"), "--mechanism", "RSA-PKCS-PSS",
                "--hash-algorithm", "SHA256", "--mgf", "MGF1-SHA256", "--salt-len", "32", "-i", "digest",
                "-o", "pss.sig").ok();
        Programs.openssl(work, "pkeyutl", "-verify", "-pubin", "-inkey", "rsa.pub.pem", "-in", "digest", "-sigfile",
                "pss.sig", "-pkeyopt", "digest:sha256", "-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt",
                "rsa_pss_saltlen:32").ok();
        // a tampered input does not verify
        Files.write(work.resolve("other"), MessageDigest.getInstance("SHA-256").digest(new byte[] {1}));
        assertNotEquals(0, Programs.openssl(work, "pkeyutl", "-verify", "-pubin", "-inkey", "rsa.pub.pem", "-in",
                "other", "-sigfile", "pss.sig", "-pkeyopt", "digest:sha256", "-pkeyopt", "rsa_padding_mode:pss").code());
    }

    @Test
    void tokenPinIsRequiredCheckedAndRateLimited() throws Exception {
        String hidden = Programs.pkcs11Tool(work, withPin.socket(), "-O").ok().out();
        assertTrue(!hidden.contains("Private Key Object"), "private keys hidden before login: " + hidden);
        String slots = Programs.pkcs11Tool(work, withPin.socket(), "-L").ok().out();
        assertTrue(slots.contains("login required"), slots);

        Programs.pkcs11Tool(work, withPin.socket(), "--login", "--pin", "1234", "--sign", "--id", id("ec"),
                "--mechanism", "ECDSA", "--signature-format", "openssl", "-i", "digest", "-o", "pin.sig").ok();
        Programs.openssl(work, "pkeyutl", "-verify", "-pubin", "-inkey", "ec.pub.pem", "-in", "digest", "-sigfile",
                "pin.sig").ok();

        Tools.Output wrong = Programs.pkcs11Tool(work, withPin.socket(), "--login", "--pin", "9999", "-O");
        assertNotEquals(0, wrong.code());
        assertTrue((wrong.out() + wrong.err()).contains("CKR_PIN_INCORRECT"), wrong.toString());
        // the guard allows one try fewer than the TPM's lockout threshold, then refuses even the right PIN
        Tools.Output refused = null;
        for (int i = 0; i < 5; i++) {
            refused = Programs.pkcs11Tool(work, withPin.socket(), "--login", "--pin", "1234", "-O");
            if (refused.code() != 0) {
                break;
            }
            Programs.pkcs11Tool(work, withPin.socket(), "--login", "--pin", "9999", "-O");
        }
        assertNotEquals(0, refused.code());
        assertTrue((refused.out() + refused.err()).contains("CKR_PIN_LOCKED"), refused.toString());
        assertTrue(LOG.toString(StandardCharsets.UTF_8).contains("PIN tries are refused for"), LOG::toString);
        assertEquals(0, Programs.pkcs11Tool(work, open.socket(), "-L").code(), "the other token is unaffected");
    }
}
