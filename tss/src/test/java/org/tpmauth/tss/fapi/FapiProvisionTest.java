package org.tpmauth.tss.fapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;

/** tpmauth provisions an RSA keystore; the tss2_* tools then create and use keys in it, and back. */
class FapiProvisionTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    static FapiFixture fapi;

    @BeforeAll
    static void provisionWithTpmauth() {
        fapi = new FapiFixture(SWTPM, "P_RSA2048SHA256");
        try (FapiKeystore ks = fapi.keystore()) {
            ks.provision();
            ks.provision(); // again: the persisted SRK is kept
        }
    }

    @Test
    void systemObjectsAreWhereFapiWritesThem() {
        try (FapiKeystore ks = fapi.keystore()) {
            assertEquals(List.of("/P_RSA2048SHA256/HE", "/P_RSA2048SHA256/HE/EK", "/P_RSA2048SHA256/HN",
                    "/P_RSA2048SHA256/HS", "/P_RSA2048SHA256/HS/SRK", "/P_RSA2048SHA256/LOCKOUT"),
                    ks.list("/").stream().filter(p -> !p.contains("/SRK/")).toList());
            FapiObject srk = ks.object("/HS/SRK");
            assertEquals(0x81000001, srk.persistentHandle());
            assertEquals(TpmAlg.RSA, srk.publicArea().type());
            assertTrue(Files.isRegularFile(fapi.config.systemDir().resolve("P_RSA2048SHA256/HS/SRK/object.json")));
        }
        assertEquals(ks().list("/P_RSA2048SHA256"), ks().list("/"));
        assertEquals(List.of("/P_RSA2048SHA256/HE", "/P_RSA2048SHA256/HE/EK"), ks().list("HE"));
        String listed = fapi.tss2("tss2_list");
        assertTrue(listed.contains("/P_RSA2048SHA256/HS/SRK"), listed);
    }

    private static FapiKeystore ks() {
        return FapiKeystore.offline(fapi.config); // listing reads files only
    }

    @Test
    void fapiCreatesKeysUnderTpmauthsSrkAndTpmauthSignsThem() throws Exception {
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/rsaFapi", "--type", "sign", "--authValue", "");
        try (FapiKeystore ks = fapi.keystore()) {
            assertEquals(TpmAlg.RSAPSS, ks.object("/HS/SRK/rsaFapi").signingScheme().scheme());
            byte[] sig = ks.sign("/HS/SRK/rsaFapi", FapiInteropTest.sha256("rsa"), new byte[0]);
            java.security.Signature v = java.security.Signature.getInstance("RSASSA-PSS");
            v.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                    java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            v.initVerify(ks.publicKey("/HS/SRK/rsaFapi"));
            v.update("rsa".getBytes());
            assertTrue(v.verify(sig));
        }
    }

    @Test
    void tpmauthKeysSignWithTss2Sign() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createKey("/P_RSA2048SHA256/HS/SRK/rsaJava", KeyType.parse("sign,noDa"), new byte[0]);
        }
        Files.write(fapi.file("rsa-digest.bin"), FapiInteropTest.sha256("x"));
        fapi.tss2("tss2_sign", "--keyPath", "/HS/SRK/rsaJava", "--digest", "rsa-digest.bin",
                "--signature", "rsa-sig.bin", "--force");
        assertEquals(256, Files.size(fapi.file("rsa-sig.bin")));
    }

    @Test
    void pathsOutsideTheKeystoreAreRefused() {
        try (FapiKeystore ks = fapi.keystore()) {
            assertThrows(IllegalArgumentException.class, () -> ks.createKey("/HS/SRK", KeyType.SIGN, new byte[0]));
            assertThrows(IllegalArgumentException.class, () -> ks.createKey("/HX/k", KeyType.SIGN, new byte[0]));
            assertThrows(IllegalArgumentException.class, () -> ks.createKey("/HS/SRK/../../x", KeyType.SIGN,
                    new byte[0]));
            assertThrows(IllegalStateException.class, () -> ks.createKey("/HS/nope/k", KeyType.SIGN, new byte[0]));
        }
    }
}
