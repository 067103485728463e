package org.tpmauth.tss.fapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tpmauth.tss.fapi.FapiFixture.utf8;

import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmaNv;

/**
 * NV indices (/nv/...), external public keys (/ext/...) and keys below storage keys other than the
 * SRK, both ways with the tss2_* tools.
 */
class FapiObjectsTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    static FapiFixture fapi;

    @BeforeAll
    static void provision() {
        fapi = FapiFixture.provisioned(SWTPM, "P_ECCP256SHA256");
    }

    @Test
    void nvIndexMadeByFapiIsWrittenAndReadByTpmauthAndBack() throws Exception {
        fapi.tss2("tss2_createnv", "--path", "/nv/Owner/fapiNv", "--size", "16", "--authValue", "");
        try (FapiKeystore ks = fapi.keystore()) {
            ks.nvWrite("/nv/Owner/fapiNv", utf8("from tpmauth"), 0, new byte[0]);
            assertArrayEquals(utf8("from tpmauth"), java.util.Arrays.copyOf(ks.nvRead("/nv/Owner/fapiNv",
                    new byte[0]), 12));
            // object.json follows the TPM: WRITTEN is set, so FAPI's Name for the index stays right
            assertTrue((ks.object("/nv/Owner/fapiNv").nvPublic().attributes() & TpmaNv.WRITTEN) != 0);
        }
        fapi.tss2("tss2_nvread", "--nvPath", "/nv/Owner/fapiNv", "--data", "nv-out.bin", "--force");
        assertArrayEquals(utf8("from tpmauth"), java.util.Arrays.copyOf(Files.readAllBytes(
                fapi.file("nv-out.bin")), 12));
    }

    @Test
    void nvIndexMadeByTpmauthIsUsedByFapiListedAndDeleted() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            FapiObject nv = ks.createNv("/nv/Owner/javaNv", "noDa", 8, utf8("nvpw"), null);
            assertEquals(0x01800000, nv.nvPublic().nvIndex() & 0xFFFFF000);
        }
        assertTrue(fapi.tss2("tss2_list").contains("/nv/Owner/javaNv"));
        Files.write(fapi.file("nv-in.bin"), utf8("fapi8byt"));
        // FAPI asks for the auth value on its terminal; tss2_nvwrite gets it on stdin
        fapi.tss2("sh", "-c", "echo nvpw | tss2_nvwrite --nvPath /nv/Owner/javaNv --data nv-in.bin");
        try (FapiKeystore ks = fapi.keystore()) {
            assertArrayEquals(utf8("fapi8byt"), ks.nvRead("/nv/Owner/javaNv", utf8("nvpw")));
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> ks.nvRead("/nv/Owner/javaNv", utf8("wrong")));
            assertTrue(e.getMessage().contains("AUTH_FAIL") || e.getMessage().contains("BAD_AUTH"), e.getMessage());
            assertTrue(ks.list("/nv").contains("/nv/Owner/javaNv"), ks.list("/nv").toString());
            ks.delete("/nv/Owner/javaNv");
            assertFalse(ks.list("/").contains("/nv/Owner/javaNv"));
        }
        assertFalse(fapi.tss2("tss2_list").contains("/nv/Owner/javaNv"));
    }

    @Test
    void nvPathsAreChecked() {
        try (FapiKeystore ks = fapi.keystore()) {
            assertThrows(IllegalArgumentException.class, () -> ks.createNv("/nv/Nowhere/x", "", 8, null, null));
            assertThrows(IllegalArgumentException.class, () -> ks.createNv("/nv/x", "", 8, null, null));
            assertThrows(IllegalArgumentException.class, () -> ks.createNv("/HS/SRK/x", "", 8, null, null));
            assertThrows(IllegalArgumentException.class, () -> ks.nvRead("/HS/SRK", null));
        }
    }

    @Test
    void externalKeysCrossBothWaysAndVerify() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair fapiSide = gen.generateKeyPair();
        KeyPair javaSide = gen.generateKeyPair();
        Files.writeString(fapi.file("ext.pem"), PublicKeys.toPem(fapiSide.getPublic()));
        fapi.tss2("tss2_import", "--path", "/ext/fapiExt", "--importData", "ext.pem");
        byte[] digest = FapiInteropTest.sha256("ext");
        try (FapiKeystore ks = fapi.keystore()) {
            assertTrue(ks.verify("/ext/fapiExt", digest, sign(fapiSide, "ext")));
            assertFalse(ks.verify("/ext/fapiExt", digest, sign(javaSide, "ext")));
            ks.importPublicKey("/ext/javaExt", PublicKeys.toPem(javaSide.getPublic()));
            assertTrue(ks.list("/").containsAll(List.of("/ext/fapiExt", "/ext/javaExt")));
        }
        Files.write(fapi.file("ext.digest"), digest);
        Files.write(fapi.file("ext.sig"), sign(javaSide, "ext"));
        fapi.tss2("tss2_verifysignature", "--keyPath", "/ext/javaExt", "--digest", "ext.digest",
                "--signature", "ext.sig");
        Files.write(fapi.file("ext.sig"), sign(fapiSide, "ext"));
        // Tools.run fails the test (AssertionError) when the tool exits non-zero
        assertThrows(AssertionError.class, () -> fapi.tss2("tss2_verifysignature", "--keyPath",
                "/ext/javaExt", "--digest", "ext.digest", "--signature", "ext.sig"));
    }

    private static byte[] sign(KeyPair pair, String message) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(pair.getPrivate());
        s.update(utf8(message));
        return s.sign();
    }

    @Test
    void keyBelowAStorageKeyMadeByFapiSignsInTpmauth() throws Exception {
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/fapiParent", "--type", "restricted,decrypt,noDa",
                "--authValue", "");
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/fapiParent/child", "--type", "sign", "--authValue", "");
        try (FapiKeystore ks = fapi.keystore()) {
            byte[] sig = ks.sign("/HS/SRK/fapiParent/child", FapiInteropTest.sha256("chain"), new byte[0]);
            assertTrue(FapiInteropTest.verifies(ks.publicKey("/HS/SRK/fapiParent/child"), "SHA256withECDSA", sig,
                    "chain"));
            assertTrue(ks.verify("/HS/SRK/fapiParent/child", FapiInteropTest.sha256("chain"), sig));
        }
    }

    @Test
    void keyBelowAStorageKeyMadeByTpmauthSignsWithTss2Sign() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createKey("/HS/SRK/javaParent", KeyType.parse("restricted,decrypt,noDa"), new byte[0]);
            ks.createKey("/HS/SRK/javaParent/mid", KeyType.parse("restricted,decrypt,noDa"), new byte[0]);
            ks.createKey("/HS/SRK/javaParent/mid/leaf", KeyType.SIGN, new byte[0]);
            ks.createSeal("/HS/SRK/javaParent/mid/secret", utf8("deep"), new byte[0], null);
            assertArrayEquals(utf8("deep"), ks.unseal("/HS/SRK/javaParent/mid/secret", null));
            assertThrows(UnsupportedOperationException.class, () -> ks.createKey("/HS/SRK/javaParent/mid/leaf/x",
                    KeyType.SIGN, null));
        }
        Files.write(fapi.file("leaf.digest"), FapiInteropTest.sha256("leaf"));
        fapi.tss2("tss2_sign", "--keyPath", "/HS/SRK/javaParent/mid/leaf", "--digest", "leaf.digest",
                "--signature", "leaf.sig", "--force");
        try (FapiKeystore ks = fapi.keystore()) {
            assertTrue(FapiInteropTest.verifies(ks.publicKey("/HS/SRK/javaParent/mid/leaf"), "SHA256withECDSA",
                    Files.readAllBytes(fapi.file("leaf.sig")), "leaf"));
        }
    }

    @Test
    void parentWithAnAuthValueTakesItFromTheAuthCallback() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createKey("/HS/SRK/pwParent", KeyType.parse("restricted,decrypt,noDa"), utf8("parentpw"));
            assertThrows(TpmResponseException.class, () -> ks.createKey("/HS/SRK/pwParent/k", KeyType.SIGN, null));
            ks.setAuthCallback((path, description) -> path.endsWith("/pwParent") ? utf8("parentpw") : null);
            ks.createKey("/HS/SRK/pwParent/k", KeyType.SIGN, null);
            byte[] sig = ks.sign("/HS/SRK/pwParent/k", FapiInteropTest.sha256("p"), null);
            assertTrue(FapiInteropTest.verifies(ks.publicKey("/HS/SRK/pwParent/k"), "SHA256withECDSA", sig, "p"));
            ks.setAuthCallback((path, description) -> utf8("wrong"));
            assertThrows(TpmResponseException.class, () -> ks.sign("/HS/SRK/pwParent/k", FapiInteropTest.sha256("p"),
                    null));
        }
    }

    /** What --key keystore:PATH loads: a key file for keys below the SRK, with a PCR policy carried over. */
    @Test
    void keysBelowTheSrkAsKeyFiles() throws Exception {
        try (FapiKeystore ks = fapi.keystore(); TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
            ks.createKey("/HS/SRK/asFile", KeyType.SIGN, utf8("pw"));
            ks.createKey("/HS/SRK/asFilePcr", KeyType.SIGN, null, JsonPolicy.parse(FapiPolicyTest.policyFile(
                    "pcr16-zero"), "pcr16"));
            for (String path : new String[] {"/HS/SRK/asFile", "/HS/SRK/asFilePcr"}) {
                TpmKey key = keys.load(ks.keyFile(path), path.endsWith("Pcr") ? new byte[0] : utf8("pw"));
                byte[] sig = keys.sign(key, FapiInteropTest.sha256(path), TpmAlg.SHA256, SigningScheme.ECDSA);
                assertTrue(FapiInteropTest.verifies(ks.publicKey(path), "SHA256withECDSA", sig, path));
                keys.unload(key);
            }
            ks.createKey("/HS/SRK/asFileLocality", KeyType.SIGN, null, JsonPolicy.parse(FapiPolicyTest.policyFile(
                    "locality"), "locality"));
            assertTrue(assertThrows(UnsupportedOperationException.class, () -> ks.keyFile("/HS/SRK/asFileLocality"))
                    .getMessage().contains("PolicyLocality"));
            ks.createKey("/HS/SRK/asFileParent", KeyType.parse("restricted,decrypt,noDa"), null);
            ks.createKey("/HS/SRK/asFileParent/child", KeyType.SIGN, null);
            assertThrows(UnsupportedOperationException.class, () -> ks.keyFile("/HS/SRK/asFileParent/child"));
        }
    }
}
