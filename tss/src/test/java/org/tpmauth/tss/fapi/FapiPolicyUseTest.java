package org.tpmauth.tss.fapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tpmauth.tss.fapi.FapiFixture.utf8;

import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import org.tpmauth.tss.fapi.policy.PolicyException;
import org.tpmauth.tss.fapi.policy.PolicySignCallback;
import org.tpmauth.tss.keys.PolicySigner;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.transport.SwtpmTcti;
import org.tpmauth.tss.types.TpmAlg;

/**
 * Policies satisfied at use time: PolicyLocality, PolicyNvWritten, PolicySecret and PolicyNV on
 * keystore objects by path, PolicySigned with a signer callback, PolicyAuthorize with the signed
 * policies of the keystore's policy directory; each with FAPI's tools on the other side where they can
 * take part, and each with the way it fails.
 */
class FapiPolicyUseTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    static FapiFixture fapi;

    @BeforeAll
    static void provision() {
        fapi = FapiFixture.provisioned(SWTPM, "P_ECCP256SHA256");
    }

    private static JsonPolicy policy(String name) throws Exception {
        return JsonPolicy.parse(FapiPolicyTest.policyFile(name), name);
    }

    private static void assertSigns(FapiKeystore ks, String path) throws Exception {
        byte[] sig = ks.sign(path, FapiInteropTest.sha256(path), null);
        assertTrue(FapiInteropTest.verifies(ks.publicKey(path), "SHA256withECDSA", sig, path));
    }

    private static String refusal(FapiKeystore ks, String path) {
        return assertThrows(PolicyException.class, () -> ks.sign(path, FapiInteropTest.sha256(path), null))
                .getMessage();
    }

    @Test
    void localityPolicyHoldsOnlyAtItsLocality() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createKey("/HS/SRK/loc0", KeyType.SIGN, null, policy("locality"));
            ks.createKey("/HS/SRK/loc3", KeyType.SIGN, null, policy("locality-three"));
            assertSigns(ks, "/HS/SRK/loc0");
            String refused = refusal(ks, "/HS/SRK/loc3");
            assertTrue(refused.startsWith("PolicyLocality of "), refused);
            SwtpmTcti tcti = (SwtpmTcti) SWTPM.tpm().tcti();
            tcti.setLocality(3);
            try {
                assertSigns(ks, "/HS/SRK/loc3");
                assertTrue(refusal(ks, "/HS/SRK/loc0").startsWith("PolicyLocality of "));
            } finally {
                tcti.setLocality(0);
            }
        }
    }

    /**
     * A write-once NV index (FAPI computes the same authPolicy for it): the OR branch for the command
     * at hand is taken; reading before the write and writing again are refused, naming PolicyNvWritten.
     */
    @Test
    void writeOnceNvIndexUnderPolicyNvWritten() throws Exception {
        fapi.importPolicy("nv-write-once");
        fapi.tss2("tss2_createnv", "--path", "/nv/Owner/fapiOnce", "--size", "4", "--policyPath",
                "/policy/nv-write-once", "--authValue", "");
        try (FapiKeystore ks = fapi.keystore()) {
            byte[] fapiPolicy = ks.object("/nv/Owner/fapiOnce").nvPublic().authPolicy();
            assertArrayEquals(fapiPolicy, policy("nv-write-once").digest(TpmAlg.SHA256, ks.policyContext()));
            for (String path : new String[] {"/nv/Owner/fapiOnce", "/nv/Owner/javaOnce"}) {
                if (path.contains("java")) {
                    ks.createNv(path, "", 4, null, policy("nv-write-once"));
                    assertArrayEquals(fapiPolicy, ks.object(path).nvPublic().authPolicy());
                }
                PolicyException unwritten = assertThrows(PolicyException.class, () -> ks.nvRead(path, null));
                assertTrue(unwritten.getMessage().startsWith("PolicyNvWritten of ")
                        && unwritten.getMessage().contains("is not written"), unwritten.getMessage());
                ks.nvWrite(path, utf8("once"), 0, null);
                assertArrayEquals(utf8("once"), ks.nvRead(path, null));
                PolicyException again = assertThrows(PolicyException.class, () -> ks.nvWrite(path, utf8("twice"
                        .substring(0, 4)), 0, null));
                assertTrue(again.getMessage().contains("the NV index is written"), again.getMessage());
            }
        }
    }

    @Test
    void policySecretOnAKeyByPathTakesItsAuthValueFromTheCallback() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createKey("/HS/SRK/holder", KeyType.parse("sign,noDa"), utf8("holderpw"));
            ks.createSeal("/HS/SRK/bySecret", utf8("behind the holder"), null, policy("secret-path-key"));
            ks.setAuthCallback((path, description) -> path.endsWith("/HS/SRK/holder") ? utf8("holderpw") : null);
            assertArrayEquals(utf8("behind the holder"), ks.unseal("/HS/SRK/bySecret", null));
            ks.setAuthCallback((path, description) -> utf8("wrong"));
            PolicyException e = assertThrows(PolicyException.class, () -> ks.unseal("/HS/SRK/bySecret", null));
            assertTrue(e.getMessage().startsWith("element 1 (PolicySecret): "), e.getMessage());
        }
    }

    /** FAPI stores PolicySecret by objectPath as the Name only: tpmauth finds the NV index by its Name. */
    @Test
    void keyMadeByFapiUnderPolicySecretOfAnNvIndexSignsInTpmauth() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createNv("/nv/Owner/pwNv", "noDa", 8, utf8("nvpw"), null);
        }
        fapi.importPolicy("secret-path-nv");
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/bySecretNv", "--type", "sign", "--policyPath",
                "/policy/secret-path-nv", "--authValue", "");
        try (FapiKeystore ks = fapi.keystore()) {
            assertEquals(false, ks.object("/HS/SRK/bySecretNv").policy().orElseThrow().toString()
                    .contains("objectPath"));
            ks.setAuthCallback((path, description) -> path.equals("/nv/Owner/pwNv") ? utf8("nvpw") : null);
            assertSigns(ks, "/HS/SRK/bySecretNv");
            ks.setAuthCallback((path, description) -> utf8("wrong"));
            assertTrue(refusal(ks, "/HS/SRK/bySecretNv").startsWith("element 1 (PolicySecret): "));
        }
    }

    @Test
    void keyMadeByFapiUnderPolicyNvByPathSignsWhileTheIndexHoldsTheValue() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createNv("/nv/Owner/flag", "noDa", 5, null, null);
            ks.nvWrite("/nv/Owner/flag", utf8("hello"), 0, null);
        }
        fapi.importPolicy("nv-path");
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/byNv", "--type", "sign", "--policyPath", "/policy/nv-path",
                "--authValue", "");
        try (FapiKeystore ks = fapi.keystore()) {
            assertArrayEquals(ks.object("/HS/SRK/byNv").publicArea().authPolicy(),
                    policy("nv-path").digest(TpmAlg.SHA256, ks.policyContext()));
            ks.createKey("/HS/SRK/byNvJava", KeyType.SIGN, null, policy("nv-path"));
            assertSigns(ks, "/HS/SRK/byNv");
            assertSigns(ks, "/HS/SRK/byNvJava");
            ks.nvWrite("/nv/Owner/flag", utf8("HELLO"), 0, null);
            assertTrue(refusal(ks, "/HS/SRK/byNv").startsWith("element 1 (PolicyNV): "));
            assertTrue(refusal(ks, "/HS/SRK/byNvJava").startsWith("element 1 (PolicyNV): "));
        }
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        return gen.generateKeyPair();
    }

    @Test
    void keyMadeByFapiUnderPolicySignedSignsWithTheSignerCallback() throws Exception {
        KeyPair signer = ecKey();
        KeyPair other = ecKey();
        String json = "{\"description\":\"signed\",\"policy\":[{\"type\":\"POLICYSIGNED\",\"keyPEM\":\""
                + PublicKeys.toPem(signer.getPublic()).replace("\n", "\\n") + "\"}]}";
        Files.writeString(fapi.file("signed-now.json"), json);
        fapi.tss2("tss2_import", "--path", "/policy/signed-now", "--importData", "signed-now.json");
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/bySigned", "--type", "sign", "--policyPath",
                "/policy/signed-now", "--authValue", "");
        try (FapiKeystore ks = fapi.keystore()) {
            assertTrue(refusal(ks, "/HS/SRK/bySigned").contains("policy signer"));
            ks.setPolicySigner(PolicySignCallback.of(PolicySigner.software(signer.getPrivate(), signer.getPublic())));
            assertSigns(ks, "/HS/SRK/bySigned");
            assertSigns(ks, "/HS/SRK/bySigned"); // a fresh nonceTPM each time: no replay
            ks.setPolicySigner(PolicySignCallback.of(PolicySigner.software(other.getPrivate(), other.getPublic())));
            String noSigner = refusal(ks, "/HS/SRK/bySigned");
            assertTrue(noSigner.startsWith("element 1 (PolicySigned): none of the 1 policy signers"), noSigner);
            PolicySigner wrong = PolicySigner.software(other.getPrivate(), other.getPublic());
            ks.setPolicySigner((key, hash, data) -> wrong.sign(data));
            String badSignature = refusal(ks, "/HS/SRK/bySigned");
            assertTrue(badSignature.startsWith("element 1 (PolicySigned): ") && badSignature.contains("SIGNATURE"),
                    badSignature);
        }
    }

    /**
     * PolicySigned by keyPath to an imported /ext key, satisfied by tpmauth. FAPI 3.2.1 resolves the path to
     * a keyPublic and then records the digest over an empty key Name, as for every keyPublic (see
     * FapiPolicyTest#fapiComputesPolicySignedWithKeyPublicOverAnEmptyName); tpmauth uses the key's Name.
     */
    @Test
    void policySignedByAnExternalKeyPath() throws Exception {
        KeyPair signer = ecKey();
        Files.writeString(fapi.file("signer.pem"), PublicKeys.toPem(signer.getPublic()));
        fapi.tss2("tss2_import", "--path", "/ext/signer", "--importData", "signer.pem");
        fapi.importPolicy("signed-path-ext");
        String exported = fapi.tss2("tss2_exportpolicy", "--path", "/policy/signed-path-ext", "--jsonPolicy", "-");
        String fapiDigest = FapiJson.parseObject(utf8(exported), "export").get("policyDigests").get(0).get("digest")
                .asText();
        try (FapiKeystore ks = fapi.keystore()) {
            JsonPolicy p = policy("signed-path-ext");
            assertEquals(fapiDigest, HexFormat.of().formatHex(new PolicyDigest(TpmAlg.SHA256).signed(new byte[0],
                    new byte[0]).value()));
            assertArrayEquals(new PolicyDigest(TpmAlg.SHA256).signed(ks.object("/ext/signer").publicArea().name(),
                    new byte[0]).value(), p.digest(TpmAlg.SHA256, ks.policyContext()));
            ks.createKey("/HS/SRK/byExtSigner", KeyType.SIGN, null, p);
            ks.setPolicySigner(PolicySignCallback.of(PolicySigner.software(signer.getPrivate(), signer.getPublic())));
            assertSigns(ks, "/HS/SRK/byExtSigner");
        }
    }

    /**
     * PolicyAuthorize both ways: a key FAPI made under a policy authorized by tss2_authorizepolicy signs
     * in tpmauth until the approved PCR policy no longer holds; a key tpmauth made under a policy it
     * authorized (FapiKeystore.authorizePolicy) signs with tss2_sign.
     */
    @Test
    void authorizedPoliciesFromThePolicyDirectoryBothWays() throws Exception {
        Tools.run(SWTPM, "tpm2_pcrreset", "16");
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/polSigner", "--type", "sign", "--authValue", "");
        fapi.importPolicy("pcr16-zero");
        fapi.tss2("tss2_authorizepolicy", "--policyPath", "/policy/pcr16-zero", "--keyPath", "/HS/SRK/polSigner");
        fapi.importPolicy("authorize-path");
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/byAuthorized", "--type", "sign", "--policyPath",
                "/policy/authorize-path", "--authValue", "");
        try (FapiKeystore ks = fapi.keystore()) {
            assertSigns(ks, "/HS/SRK/byAuthorized");
            ks.createKey("/HS/SRK/javaSigner", KeyType.SIGN, null);
            ks.importPolicy("/policy/java-pcr16", policy("pcr16-zero"));
            ks.authorizePolicy("/policy/java-pcr16", "/HS/SRK/javaSigner", new byte[0], null);
            ks.createKey("/HS/SRK/byJavaAuthorized", KeyType.SIGN, null, policy("authorize-path-java"));
            assertSigns(ks, "/HS/SRK/byJavaAuthorized");
            // a policy signed by another key authorizes nothing here
            ks.createKey("/HS/SRK/strangerSigner", KeyType.SIGN, null);
            ks.createKey("/HS/SRK/byStranger", KeyType.SIGN, null, JsonPolicy.parse(utf8("{\"policy\":[{\"type\":"
                    + "\"POLICYAUTHORIZE\",\"keyPath\":\"/HS/SRK/strangerSigner\"}]}"), "stranger"));
            assertTrue(refusal(ks, "/HS/SRK/byStranger").startsWith("element 1 (PolicyAuthorize): no policy in the "
                    + "keystore is signed by key"));
        }
        Files.write(fapi.file("auth.digest"), FapiInteropTest.sha256("authorized"));
        fapi.tss2("tss2_sign", "--keyPath", "/HS/SRK/byJavaAuthorized", "--digest", "auth.digest", "--signature",
                "auth.sig", "--force");
        try (FapiKeystore ks = fapi.keystore()) {
            assertTrue(FapiInteropTest.verifies(ks.publicKey("/HS/SRK/byJavaAuthorized"), "SHA256withECDSA",
                    Files.readAllBytes(fapi.file("auth.sig")), "authorized"));
        }
        Tools.run(SWTPM, "tpm2_pcrextend", "16:sha256=" + "ab".repeat(32));
        try (FapiKeystore ks = fapi.keystore()) {
            String refused = refusal(ks, "/HS/SRK/byAuthorized");
            assertTrue(refused.startsWith("element 1 (PolicyAuthorize): no authorized policy holds: authorized policy "
                    + "/policy/pcr16-zero: element 1 (PolicyPCR)"), refused);
        } finally {
            Tools.run(SWTPM, "tpm2_pcrreset", "16");
        }
    }

    /**
     * PolicyDuplicationSelect at use: an exportable key FAPI made goes from tss2_exportkey into tpmauth's
     * keystore below the new parent and signs there; one tpmauth made goes from exportKey into FAPI's
     * (tss2_import) and signs with tss2_sign; duplication to another parent is refused.
     */
    @Test
    void exportableKeysMoveToTheNewParentTheirPolicySelects() throws Exception {
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/newParent", "--type", "restricted,decrypt,noDa", "--authValue",
                "");
        fapi.tss2("tss2_exportkey", "--pathOfKeyToDuplicate", "/HS/SRK/newParent", "--exportedData",
                "new-parent.json", "--force");
        fapi.tss2("tss2_import", "--path", "/ext/newParent", "--importData", "new-parent.json");
        fapi.importPolicy("duplicate-to-path");
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/fapiExportable", "--type", "sign,exportable", "--policyPath",
                "/policy/duplicate-to-path", "--authValue", "");
        // FAPI asks which PolicyOR branch to take on its terminal: 1, duplicate
        fapi.tss2("sh", "-c", "echo 1 | tss2_exportkey --pathOfKeyToDuplicate /HS/SRK/fapiExportable "
                + "--pathToPublicKeyOfNewParent /ext/newParent --exportedData fapi-dup.json --force");
        try (FapiKeystore ks = fapi.keystore()) {
            ks.importKey("/HS/SRK/newParent/fromFapi", FapiJson.readObject(fapi.file("fapi-dup.json")));
            assertArrayEquals(ks.object("/HS/SRK/fapiExportable").publicArea().name(),
                    ks.object("/HS/SRK/newParent/fromFapi").publicArea().name());
            assertSigns(ks, "/HS/SRK/newParent/fromFapi");

            ks.createKey("/HS/SRK/javaExportable", KeyType.parse("sign,exportable"), null, policy("duplicate-to-path"));
            ks.createKey("/HS/SRK/otherParent", KeyType.parse("restricted,decrypt,noDa"), null);
            String refused = assertThrows(PolicyException.class, () -> ks.exportKey("/HS/SRK/javaExportable",
                    "/HS/SRK/otherParent")).getMessage();
            assertTrue(refused.startsWith("PolicyDuplicationSelect of "), refused);
            assertThrows(IllegalArgumentException.class, () -> ks.importKey("/HS/SRK/otherParent/x",
                    FapiJson.readObject(fapi.file("fapi-dup.json"))));
            Files.write(fapi.file("java-dup.json"), FapiJson.toBytes(ks.exportKey("/HS/SRK/javaExportable",
                    "/ext/newParent")));
        }
        // FAPI finds the new parent by public_parent and takes the path as the name below it
        fapi.tss2("tss2_import", "--path", "fromJava", "--importData", "java-dup.json");
        Files.write(fapi.file("dup.digest"), FapiInteropTest.sha256("moved"));
        fapi.tss2("sh", "-c", "echo 2 | tss2_sign --keyPath /HS/SRK/newParent/fromJava --digest dup.digest "
                + "--signature dup.sig --force");
        try (FapiKeystore ks = fapi.keystore()) {
            assertTrue(FapiInteropTest.verifies(ks.publicKey("/HS/SRK/javaExportable"), "SHA256withECDSA",
                    Files.readAllBytes(fapi.file("dup.sig")), "moved"));
        }
    }
}
