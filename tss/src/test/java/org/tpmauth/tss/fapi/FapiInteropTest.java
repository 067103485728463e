package org.tpmauth.tss.fapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.testing.SwtpmExtension;

/** Keys and sealed objects cross between tpm2-tss FAPI (the tss2_* tools) and tpmauth on a keystore FAPI provisioned. */
class FapiInteropTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    static FapiFixture fapi;

    @BeforeAll
    static void provisionWithFapi() {
        fapi = new FapiFixture(SWTPM, "P_ECCP256SHA256");
        fapi.tss2("tss2_provision");
    }

    static byte[] sha256(String text) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    }

    static boolean verifies(PublicKey key, String algorithm, byte[] signature, String message) throws Exception {
        Signature v = Signature.getInstance(algorithm);
        v.initVerify(key);
        v.update(message.getBytes(StandardCharsets.UTF_8));
        return v.verify(signature);
    }

    @Test
    void keyMadeByTss2CreatekeySignsInTpmauth() throws Exception {
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/fapiSign", "--type", "sign", "--authValue", "");
        try (FapiKeystore ks = fapi.keystore()) {
            byte[] sig = ks.sign("/HS/SRK/fapiSign", sha256("hello"), new byte[0]);
            assertTrue(verifies(ks.publicKey("/HS/SRK/fapiSign"), "SHA256withECDSA", sig, "hello"));
            assertTrue(ks.list("/").contains("/P_ECCP256SHA256/HS/SRK/fapiSign"));
        }
    }

    @Test
    void keyWithPasswordMadeByFapiNeedsItInTpmauth() throws Exception {
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/fapiPw", "--type", "sign", "--authValue", "s3cret");
        try (FapiKeystore ks = fapi.keystore()) {
            assertTrue(ks.object("/HS/SRK/fapiPw").withAuth());
            byte[] sig = ks.sign("/HS/SRK/fapiPw", sha256("m"), "s3cret".getBytes(StandardCharsets.UTF_8));
            assertTrue(verifies(ks.publicKey("/HS/SRK/fapiPw"), "SHA256withECDSA", sig, "m"));
            assertThrows(TpmException.class, () -> ks.sign("/HS/SRK/fapiPw", sha256("m"),
                    "wrong".getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void changeAuthOfAFapiKeyRewritesItsPrivateBlob() throws Exception {
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/rekey", "--type", "sign", "--authValue", "");
        byte[] pw = "new pw".getBytes(StandardCharsets.UTF_8);
        try (FapiKeystore ks = fapi.keystore()) {
            ks.changeAuth("/HS/SRK/rekey", new byte[0], pw);
            assertTrue(ks.object("/HS/SRK/rekey").withAuth());
            byte[] sig = ks.sign("/HS/SRK/rekey", sha256("r"), pw);
            assertTrue(verifies(ks.publicKey("/HS/SRK/rekey"), "SHA256withECDSA", sig, "r"));
            assertThrows(TpmException.class, () -> ks.sign("/HS/SRK/rekey", sha256("r"), new byte[0]));
            assertThrows(TpmException.class, () -> ks.changeAuth("/HS/SRK/rekey", new byte[0], new byte[0]));
        }
        // FAPI reads the rewritten object (signing would ask for the auth value on its terminal)
        fapi.tss2("tss2_getdescription", "--path", "/HS/SRK/rekey", "--description", "rekey.txt", "--force");
    }

    @Test
    void keyMadeByTpmauthSignsWithTss2SignAndIsListed() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createKey("/HS/SRK/javaSign", KeyType.SIGN, new byte[0]);
            ks.setDescription("/HS/SRK/javaSign", "made by tpmauth");
        }
        Files.write(fapi.file("digest.bin"), sha256("from fapi"));
        fapi.tss2("tss2_sign", "--keyPath", "/HS/SRK/javaSign", "--digest", "digest.bin", "--signature", "sig.der",
                "--publicKey", "pub.pem", "--force");
        byte[] sig = Files.readAllBytes(fapi.file("sig.der"));
        try (FapiKeystore ks = fapi.keystore()) {
            assertTrue(verifies(ks.publicKey("/HS/SRK/javaSign"), "SHA256withECDSA", sig, "from fapi"));
            assertEquals(ks.exportPublicKeyPem("/HS/SRK/javaSign").strip(),
                    Files.readString(fapi.file("pub.pem")).strip());
        }
        String listed = fapi.tss2("tss2_list", "--searchPath", "/HS/SRK");
        assertTrue(List.of(listed.strip().split(":")).contains("/P_ECCP256SHA256/HS/SRK/javaSign"), listed);
        fapi.tss2("tss2_getdescription", "--path", "/HS/SRK/javaSign", "--description", "desc.txt", "--force");
        assertEquals("made by tpmauth", Files.readString(fapi.file("desc.txt")).strip());
    }

    @Test
    void sealedObjectsCrossBothWays() throws Exception {
        Files.writeString(fapi.file("secret.txt"), "sealed by fapi");
        fapi.tss2("tss2_createseal", "--path", "/HS/SRK/fapiSeal", "--type", "", "--authValue", "",
                "--data", "secret.txt");
        try (FapiKeystore ks = fapi.keystore()) {
            assertArrayEquals("sealed by fapi".getBytes(StandardCharsets.UTF_8),
                    ks.unseal("/HS/SRK/fapiSeal", new byte[0]));
            ks.createSeal("/HS/SRK/javaSeal", "sealed by tpmauth".getBytes(StandardCharsets.UTF_8), new byte[0], null);
        }
        fapi.tss2("tss2_unseal", "--path", "/HS/SRK/javaSeal", "--data", "unsealed.txt", "--force");
        assertEquals("sealed by tpmauth", Files.readString(fapi.file("unsealed.txt")));
    }

    @Test
    void certificateSetByTpmauthIsReadByFapiAndBack() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createKey("/HS/SRK/certKey", KeyType.SIGN, new byte[0]);
            ks.setCertificate("/HS/SRK/certKey", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        }
        fapi.tss2("tss2_getcertificate", "--path", "/HS/SRK/certKey", "--x509certData", "cert.pem", "--force");
        assertTrue(Files.readString(fapi.file("cert.pem")).contains("MIIB"));
    }

    @Test
    void deleteRemovesTheKeyForFapiToo() {
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createKey("/HS/SRK/gone", KeyType.SIGN, new byte[0]);
            ks.delete("/HS/SRK/gone");
            assertThrows(IllegalArgumentException.class, () -> ks.object("/HS/SRK/gone"));
            assertThrows(IllegalArgumentException.class, () -> ks.delete("/HS/SRK"));
        }
        assertThrows(AssertionError.class, () -> fapi.tss2("tss2_sign", "--keyPath", "/HS/SRK/gone", "--digest",
                "digest.bin", "--signature", "x.der", "--force"));
    }
}
