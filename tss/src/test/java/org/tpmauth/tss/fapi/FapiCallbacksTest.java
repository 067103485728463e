package org.tpmauth.tss.fapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tpmauth.tss.fapi.FapiFixture.utf8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import org.tpmauth.tss.fapi.policy.PolicyAuthorization;
import org.tpmauth.tss.fapi.policy.PolicyBranchCallback;
import org.tpmauth.tss.fapi.policy.PolicyException;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmAlg;

/**
 * What FAPI asks its callbacks for, with FAPI's tools on the other side: the branch of a PolicyOR
 * (tss2_sign reads the choice from its terminal), PolicyAction, policies authorized by a PEM key
 * outside any TPM, and keystore keys anywhere in the hierarchy loaded for any signer.
 */
class FapiCallbacksTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    static FapiFixture fapi;

    @BeforeAll
    static void provision() throws Exception {
        fapi = FapiFixture.provisioned(SWTPM, "P_ECCP256SHA256");
        fapi.importPolicy("or-branches");
    }

    private static JsonPolicy policy(String name) throws Exception {
        return JsonPolicy.parse(FapiPolicyTest.policyFile(name), name);
    }

    private static void assertSigns(FapiKeystore ks, String path, byte[] password) throws Exception {
        byte[] sig = ks.sign(path, FapiInteropTest.sha256(path), password);
        assertTrue(FapiInteropTest.verifies(ks.publicKey(path), "SHA256withECDSA", sig, path));
    }

    @Test
    void fapiKeyUnderBranchesSignsThroughTheBranchChosenByName() throws Exception {
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/fapiOr", "--type", "sign,noDa", "--policyPath",
                "/policy/or-branches", "--authValue", "pw");
        try (FapiKeystore ks = fapi.keystore()) {
            // PCR 16 is zero and PolicyAuthValue holds until the command: both branches hold
            PolicyException both = assertThrows(PolicyException.class, () -> ks.sign("/HS/SRK/fapiOr",
                    FapiInteropTest.sha256("x"), utf8("pw")));
            assertTrue(both.getMessage().contains("branches [pcr, password] all hold; choose one by name "
                    + "(tpmauth: --policy-branch NAME; Java: FapiKeystore.setBranchCallback)"), both.getMessage());
            List<String> asked = new ArrayList<>();
            ks.setBranchCallback((path, description, names) -> {
                asked.add(path + " " + description + " " + names);
                return names.indexOf("pcr");
            });
            assertSigns(ks, "/HS/SRK/fapiOr", null);
            assertEquals(List.of("/P_ECCP256SHA256/HS/SRK/fapiOr  [pcr, password]"), asked);
            ks.setBranchCallback(PolicyBranchCallback.byName(List.of("password")));
            assertSigns(ks, "/HS/SRK/fapiOr", utf8("pw"));
            assertThrows(TpmResponseException.class, () -> ks.sign("/HS/SRK/fapiOr", FapiInteropTest.sha256("x"),
                    utf8("wrong")));
            ks.setBranchCallback((path, description, names) -> 7);
            assertTrue(assertThrows(PolicyException.class, () -> ks.sign("/HS/SRK/fapiOr", FapiInteropTest.sha256("x"),
                    null)).getMessage().contains("the branch callback chose branch 7 of 2 [pcr, password]"));
        }
        Tools.run(SWTPM, "tpm2_pcrextend", "16:sha256=" + "ab".repeat(32));
        try (FapiKeystore ks = fapi.keystore()) {
            assertSigns(ks, "/HS/SRK/fapiOr", utf8("pw")); // only "password" holds now: taken without asking
            ks.setBranchCallback(PolicyBranchCallback.byName(List.of("pcr")));
            assertTrue(assertThrows(PolicyException.class, () -> ks.sign("/HS/SRK/fapiOr", FapiInteropTest.sha256("x"),
                    null)).getMessage().startsWith("branch 1 (\"pcr\") of PolicyOR: element 1 (PolicyPCR)"));
        } finally {
            Tools.run(SWTPM, "tpm2_pcrreset", "16");
        }
    }

    @Test
    void tpmauthKeyUnderBranchesSignsWithTss2SignInEitherBranch() throws Exception {
        try (FapiKeystore ks = fapi.keystore()) {
            ks.createKey("/HS/SRK/javaOr", KeyType.parse("sign,noDa"), utf8("pw"), policy("or-branches"));
        }
        fapi.assertTss2Signs("/HS/SRK/javaOr", "1\\n");
        fapi.assertTss2Signs("/HS/SRK/javaOr", "2\\npw\\n");
    }

    @Test
    void policyActionRunsTheActionCallback() throws Exception {
        fapi.importPolicy("action-pcr");
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/fapiAction", "--type", "sign", "--policyPath",
                "/policy/action-pcr", "--authValue", "");
        try (FapiKeystore ks = fapi.keystore()) {
            assertArrayEquals(policy("action-pcr").digest(TpmAlg.SHA256, ks.policyContext()),
                    ks.object("/HS/SRK/fapiAction").publicArea().authPolicy());
            String none = assertThrows(PolicyException.class, () -> ks.sign("/HS/SRK/fapiAction",
                    FapiInteropTest.sha256("x"), null)).getMessage();
            assertTrue(none.startsWith("element 1 (PolicyAction): the policy has a PolicyAction \"audit\", and no policy "
                    + "action callback is set"), none);
            List<String> ran = new ArrayList<>();
            ks.setPolicyActionCallback((path, action) -> ran.add(path + ": " + action));
            assertSigns(ks, "/HS/SRK/fapiAction", null);
            assertEquals(List.of("/P_ECCP256SHA256/HS/SRK/fapiAction: audit"), ran);
            ks.setPolicyActionCallback((path, action) -> {
                throw new IllegalStateException("not during maintenance");
            });
            String refused = assertThrows(PolicyException.class, () -> ks.sign("/HS/SRK/fapiAction",
                    FapiInteropTest.sha256("x"), null)).getMessage();
            assertTrue(refused.contains("the policy action callback refused \"audit\": not during maintenance"), refused);
        }
    }

    /**
     * A policy approved by a software key in FAPI's "pem" form: a key FAPI made under PolicyAuthorize by
     * that key signs with tss2_sign and in tpmauth; a tampered signature approves nothing.
     */
    @Test
    void policyAuthorizedByAPemKeyBothWays() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair signer = g.generateKeyPair();
        String pem = PublicKeys.toPem(signer.getPublic());
        fapi.importPolicy("pcr16-zero");
        byte[] policyRef = {1, 2};
        try (FapiKeystore ks = fapi.keystore()) {
            byte[] digest = ks.policy("/policy/pcr16-zero").digest(TpmAlg.SHA256, ks.policyContext());
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(signer.getPrivate());
            s.update(digest);
            s.update(policyRef);
            ks.addPolicyAuthorization("/policy/pcr16-zero", PolicyAuthorization.pem(pem, TpmAlg.SHA256, policyRef,
                    s.sign()));
        }
        String authorize = "{\"description\":\"approved by a PEM key\",\"policy\":[{\"type\":\"POLICYAUTHORIZE\","
                + "\"keyPEM\":\"" + pem.replace("\n", "\\n") + "\",\"policyRef\":\"0102\"}]}";
        Files.writeString(fapi.file("by-pem.json"), authorize);
        fapi.tss2("tss2_import", "--path", "/policy/by-pem", "--importData", "by-pem.json");
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/fapiByPem", "--type", "sign", "--policyPath", "/policy/by-pem",
                "--authValue", "");
        fapi.assertTss2Signs("/HS/SRK/fapiByPem", "");
        try (FapiKeystore ks = fapi.keystore()) {
            assertSigns(ks, "/HS/SRK/fapiByPem", null);
            ks.createKey("/HS/SRK/javaByPem", KeyType.SIGN, null, JsonPolicy.parse(utf8(authorize), "by-pem"));
        }
        fapi.assertTss2Signs("/HS/SRK/javaByPem", "");
        // a signature over another digest approves nothing
        try (FapiKeystore ks = fapi.keystore()) {
            ks.importPolicy("/policy/forged", policy("pcr16-zero"));
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(signer.getPrivate());
            s.update(new byte[32]);
            ks.addPolicyAuthorization("/policy/forged", PolicyAuthorization.pem(pem, TpmAlg.SHA256, policyRef,
                    s.sign()));
            ks.setBranchCallback(PolicyBranchCallback.byName(List.of("/policy/forged")));
            String refused = assertThrows(PolicyException.class, () -> ks.sign("/HS/SRK/javaByPem",
                    FapiInteropTest.sha256("x"), null)).getMessage();
            assertTrue(refused.startsWith("element 1 (PolicyAuthorize): no authorized policy holds: authorized policy "
                    + "/policy/forged: TPM2_VerifySignature"), refused);
        }
    }

    /**
     * A profile whose srk_template names no persistent handle: FAPI and tpmauth keep the SRK transient and
     * create it again from its public area; keys below it cross both ways, and load for any signer.
     */
    @Test
    void keysBelowATransientSrkBothWays() throws Exception {
        Path profiles = Files.createDirectories(SWTPM.workDir().resolve("profiles"));
        Files.writeString(profiles.resolve("P_ECCP256SHA256.json"), Files.readString(
                Path.of("/etc/tpm2-tss/fapi-profiles/P_ECCP256SHA256.json")).replace(",0x81000001\"", "\""));
        FapiFixture byFapi = new FapiFixture(SWTPM, "P_ECCP256SHA256", profiles, "fapi-transient");
        byFapi.tss2("tss2_provision");
        byFapi.tss2("tss2_createkey", "--path", "/HS/SRK/k", "--type", "sign", "--authValue", "");
        try (TpmKeys keys = new TpmKeys(SWTPM.tpm()); FapiKeystore ks = new FapiKeystore(byFapi.config, keys)) {
            assertEquals(0, ks.object("/HS/SRK").persistentHandle());
            assertSigns(ks, "/HS/SRK/k", null);
            TpmKey key = ks.load("/HS/SRK/k", null);
            byte[] sig = keys.sign(key, FapiInteropTest.sha256("t"), TpmAlg.SHA256, SigningScheme.ECDSA);
            assertTrue(FapiInteropTest.verifies(key.publicKey(), "SHA256withECDSA", sig, "t"));
            ks.createKey("/HS/SRK/javaK", KeyType.SIGN, null);
        }
        byFapi.assertTss2Signs("/HS/SRK/javaK", "");
        FapiFixture byJava = new FapiFixture(SWTPM, "P_ECCP256SHA256", profiles, "fapi-transient-java");
        try (FapiKeystore ks = byJava.keystore()) {
            ks.provision();
            assertEquals(0, ks.object("/HS/SRK").persistentHandle());
            ks.createKey("/HS/SRK/k", KeyType.SIGN, null);
            assertSigns(ks, "/HS/SRK/k", null);
        }
        byJava.assertTss2Signs("/HS/SRK/k", "");
    }

    /**
     * FapiKeystore.load: a key below a password-protected storage key, under a branch policy, joins a
     * TpmKeys as any key does; the TPM losing it costs one reload through the chain.
     */
    @Test
    void keyBelowAProtectedParentLoadsForAnySigner() throws Exception {
        fapi.tss2("tss2_createkey", "--path", "/HS/SRK/store", "--type", "restricted,decrypt,noDa", "--authValue",
                "spw");
        fapi.tss2("sh", "-c", "printf 'spw\\n' | tss2_createkey --path /HS/SRK/store/leaf --type sign,noDa "
                + "--policyPath /policy/or-branches --authValue lpw");
        try (TpmKeys keys = new TpmKeys(SWTPM.tpm()); FapiKeystore ks = new FapiKeystore(fapi.config, keys)) {
            List<String> asked = new ArrayList<>();
            ks.setAuthCallback((path, description) -> {
                asked.add(path);
                return utf8("spw");
            });
            ks.setBranchCallback(PolicyBranchCallback.byName(List.of("password")));
            TpmKey key = ks.load("/HS/SRK/store/leaf", utf8("lpw"));
            assertEquals(List.of("/P_ECCP256SHA256/HS/SRK/store"), asked);
            for (int i = 0; i < 2; i++) {
                byte[] sig = keys.sign(key, FapiInteropTest.sha256("leaf"), TpmAlg.SHA256, SigningScheme.ECDSA);
                assertTrue(FapiInteropTest.verifies(key.publicKey(), "SHA256withECDSA", sig, "leaf"));
            }
            SWTPM.tpm().execute(new FlushContext(key.handle()));
            byte[] sig = keys.sign(key, FapiInteropTest.sha256("again"), TpmAlg.SHA256, SigningScheme.ECDSA);
            assertTrue(FapiInteropTest.verifies(key.publicKey(), "SHA256withECDSA", sig, "again"));
            TpmKey wrong = ks.load("/HS/SRK/store/leaf", utf8("nope"));
            assertThrows(TpmResponseException.class, () -> keys.sign(wrong, FapiInteropTest.sha256("x"), TpmAlg.SHA256,
                    SigningScheme.ECDSA));
        }
    }
}
