package org.tpmauth.tss.fapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import org.tpmauth.tss.fapi.policy.PolicyContext;
import org.tpmauth.tss.fapi.policy.PolicyException;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmAlg;

/** JSON policies: digests equal FAPI's, and policies made by FAPI are satisfied by tpmauth (and back). */
class FapiPolicyTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    static FapiFixture fapi;

    @BeforeAll
    static void provision() {
        fapi = FapiFixture.provisioned(SWTPM, "P_ECCP256SHA256");
    }

    static byte[] policyFile(String name) throws IOException {
        return FapiObjectTest.resource("policies/" + name + ".json");
    }

    static Path copy(String name) throws IOException {
        Path file = fapi.file(name + ".json");
        Files.write(file, policyFile(name));
        return file;
    }

    /**
     * DuplicationSelect is left out: FAPI 3.2.1 cannot import it (it re-serializes it wrongly); so is
     * PolicySigned with keyPublic (see {@link #fapiComputesPolicySignedWithKeyPublicOverAnEmptyName}).
     */
    @ParameterizedTest
    @ValueSource(strings = {"pcr-values", "pcr16-zero", "pcr-current-authvalue-sign", "password", "secret-endorsement", "or-pcr",
        "countertimer", "locality", "nvwritten", "authorize-keypublic", "authorize-pem-ec", "authorize-pem-rsa",
        "signed-pem-ec", "signed-pem-rsa"})
    void digestEqualsWhatFapiRecords(String name) throws IOException {
        fapi.tss2("tss2_import", "--path", "/policy/" + name, "--importData", copy(name).toString());
        String exported = fapi.tss2("tss2_exportpolicy", "--path", "/policy/" + name, "--jsonPolicy", "-");
        ObjectNode fapiPolicy = FapiJson.parseObject(exported.getBytes(StandardCharsets.UTF_8), "tss2_exportpolicy");
        String fapiDigest = fapiPolicy.get("policyDigests").get(0).get("digest").asText();
        try (FapiKeystore ks = fapi.keystore()) {
            JsonPolicy policy = JsonPolicy.parse(policyFile(name), name);
            assertEquals(fapiDigest, HexFormat.of().formatHex(policy.digest(TpmAlg.SHA256, ks.policyContext())),
                    name);
            // FAPI's exported instance (PCR values filled in, policyDigests added) has the same digest
            assertEquals(fapiDigest, HexFormat.of().formatHex(JsonPolicy.of(JsonFields.of("exported", fapiPolicy))
                    .digest(TpmAlg.SHA256, ks.policyContext())));
        }
    }

    /**
     * FAPI 3.2.1 records PolicySigned with a keyPublic over an empty key Name (it fills in the Name only
     * for keyPath and keyPEM), a digest no TPM2_PolicySigned can reach; tpmauth uses the key's Name.
     */
    @Test
    void fapiComputesPolicySignedWithKeyPublicOverAnEmptyName() throws IOException {
        fapi.tss2("tss2_import", "--path", "/policy/signed", "--importData", copy("signed-keypublic").toString());
        String exported = fapi.tss2("tss2_exportpolicy", "--path", "/policy/signed", "--jsonPolicy", "-");
        String fapiDigest = FapiJson.parseObject(exported.getBytes(StandardCharsets.UTF_8), "export")
                .get("policyDigests").get(0).get("digest").asText();
        PolicyContext offline = PolicyContext.offline();
        assertEquals(fapiDigest, HexFormat.of().formatHex(new PolicyDigest(TpmAlg.SHA256).signed(new byte[0],
                new byte[0]).value()));
        JsonPolicy policy = JsonPolicy.parse(policyFile("signed-keypublic"), "signed");
        byte[] keyName = FapiObject.parse(FapiObjectTest.resource("ecc-sign-key.json"), "k").publicArea().name();
        assertArrayEquals(new PolicyDigest(TpmAlg.SHA256).signed(keyName, new byte[0]).value(),
                policy.digest(TpmAlg.SHA256, offline));
    }

    @Test
    void offlineDigestNeedsValuesOrSaysWhichElementNeedsTheTpm() throws IOException {
        assertEquals("599a9cca81c171e404e4afc462e7415ee799c498b00ff6edb68d07de1dc47a20", HexFormat.of().formatHex(
                JsonPolicy.parse(policyFile("pcr-values"), "p").digest(TpmAlg.SHA256,
                        PolicyContext.offline())));
        PolicyException e = assertThrows(PolicyException.class, () -> JsonPolicy.parse(
                policyFile("pcr-current-authvalue-sign"), "p").digest(TpmAlg.SHA256,
                PolicyContext.offline()));
        assertTrue(e.getMessage().startsWith("element 1 (PolicyPCR): needs the current value of sha256 PCR 16"),
                e.getMessage());
    }

    @Test
    void pcrPolicyKeyMadeByFapiSignsWhilePcrsHoldAndIsRefusedAfterAnExtend() throws Exception {
        fapi.tss2("tss2_import", "--path", "/policy/pcr16now", "--importData",
                copy("pcr-current-authvalue-sign").toString());
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/pcrKey", "--type", "sign", "--policyPath", "/policy/pcr16now",
                "--authValue", "pw");
        byte[] pw = "pw".getBytes(StandardCharsets.UTF_8);
        try (FapiKeystore ks = fapi.keystore()) {
            byte[] sig = ks.sign("/HS/SRK/pcrKey", FapiInteropTest.sha256("pcr"), pw);
            assertTrue(FapiInteropTest.verifies(ks.publicKey("/HS/SRK/pcrKey"), "SHA256withECDSA", sig, "pcr"));
        }
        Tools.run(SWTPM, "tpm2_pcrextend", "16:sha256=" + "ab".repeat(32));
        try (FapiKeystore ks = fapi.keystore()) {
            PolicyException e = assertThrows(PolicyException.class,
                    () -> ks.sign("/HS/SRK/pcrKey", FapiInteropTest.sha256("pcr"), pw));
            assertTrue(e.getMessage().startsWith("element 1 (PolicyPCR): ") && e.getMessage().contains(
                    "PolicyPCR(sha256:[16]) failed: the PCRs no longer hold"), e.getMessage());
        }
        Tools.run(SWTPM, "tpm2_pcrreset", "16");
    }

    @Test
    void sealedUnderAnOrPolicyUnsealsThroughTheBranchThatHolds() throws Exception {
        Tools.run(SWTPM, "tpm2_pcrreset", "16");
        JsonPolicy or = JsonPolicy.parse(policyFile("or-pcr"), "or-pcr");
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createSeal("/HS/SRK/orSeal", "either".getBytes(StandardCharsets.UTF_8), new byte[0], or);
            assertArrayEquals("either".getBytes(StandardCharsets.UTF_8), ks.unseal("/HS/SRK/orSeal", new byte[0]));
        }
        // tss2_unseal would ask on its terminal which branch to take, so FAPI stays out of this one
        Tools.run(SWTPM, "tpm2_pcrextend", "16:sha256=" + "cd".repeat(32));
        try (FapiKeystore ks = fapi.keystore()) {
            PolicyException e = assertThrows(PolicyException.class, () -> ks.unseal("/HS/SRK/orSeal", new byte[0]));
            assertTrue(e.getMessage().startsWith("element 1 (PolicyOR): no branch holds: branch 1 (\"zero\") of "
                    + "PolicyOR: element 1 (PolicyPCR)"), e.getMessage());
            assertTrue(e.getMessage().contains("branch 2 (\"ones\") of PolicyOR: element 1 (PolicyPCR)"),
                    e.getMessage());
        }
        Tools.run(SWTPM, "tpm2_pcrreset", "16");
    }

    /** A tpmauth key under a JSON policy with PolicyAuthValue signs in tpmauth, with its password only. */
    @Test
    void keyWithACurrentPcrPolicyMadeByTpmauthSigns() throws Exception {
        Tools.run(SWTPM, "tpm2_pcrreset", "16");
        JsonPolicy policy = JsonPolicy.parse(policyFile("pcr-current-authvalue-sign"), "p");
        byte[] pw = "pw".getBytes(StandardCharsets.UTF_8);
        try (FapiKeystore ks = fapi.keystore()) {
            FapiObject key = ks.createKey("/HS/SRK/javaPcr", KeyType.SIGN, pw, policy);
            assertEquals(16, key.policy().orElseThrow().get("policy").get(0).get("pcrs").get(0).get("pcr").asInt());
            assertArrayEquals(policy.digest(TpmAlg.SHA256, ks.policyContext()), key.publicArea().authPolicy());
            byte[] sig = ks.sign("/HS/SRK/javaPcr", FapiInteropTest.sha256("p"), pw);
            assertTrue(FapiInteropTest.verifies(ks.publicKey("/HS/SRK/javaPcr"), "SHA256withECDSA", sig, "p"));
            assertThrows(RuntimeException.class, () -> ks.sign("/HS/SRK/javaPcr", FapiInteropTest.sha256("p"),
                    "bad".getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * One PCR only: tss2_sign of FAPI 3.2.1 crashes (heap corruption) on keys whose policy lists two PCR
     * values, its own keys too; and it asks for the auth value on its terminal when a policy has
     * PolicyAuthValue.
     */
    @Test
    void keyWithAPcrPolicyMadeByTpmauthSignsWithTss2Sign() throws Exception {
        Tools.run(SWTPM, "tpm2_pcrreset", "16");
        JsonPolicy policy = JsonPolicy.parse(policyFile("pcr16-zero"), "p");
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createKey("/HS/SRK/javaPcrFapi", KeyType.SIGN, new byte[0], policy);
        }
        Files.write(fapi.file("pcr-digest.bin"), FapiInteropTest.sha256("p"));
        fapi.tss2("tss2_sign", "--keyPath", "/HS/SRK/javaPcrFapi", "--digest", "pcr-digest.bin", "--signature",
                "pcr-sig.der", "--force");
        try (FapiKeystore ks = fapi.keystore()) {
            assertTrue(FapiInteropTest.verifies(ks.publicKey("/HS/SRK/javaPcrFapi"), "SHA256withECDSA",
                    Files.readAllBytes(fapi.file("pcr-sig.der")), "p"));
        }
    }

    @Test
    void malformedPoliciesNameTheField() {
        assertEquals("p: policy[0].type", where("{\"policy\":[{\"type\":\"POLICYFOO\"}]}"));
        assertEquals("p: policy[0].pcrs[0].digest", where("{\"policy\":[{\"type\":\"PCR\",\"pcrs\":[{\"pcr\":1,"
                + "\"hashAlg\":\"SHA256\",\"digest\":\"00\"}]}]}"));
        assertEquals("p: policy[0].branches", where("{\"policy\":[{\"type\":\"PolicyOR\",\"branches\":[{\"policy\""
                + ":[]}]}]}"));
        assertEquals("p: policy[0].code", where("{\"policy\":[{\"type\":\"CommandCode\",\"code\":\"Nope\"}]}"));
        assertEquals("p: policy", where("{\"description\":\"none\"}"));
        assertEquals("p", where("{\"policy\":["));
    }

    private static String where(String json) {
        return assertThrows(FapiFormatException.class,
                () -> JsonPolicy.parse(json.getBytes(StandardCharsets.UTF_8), "p")).where();
    }
}
