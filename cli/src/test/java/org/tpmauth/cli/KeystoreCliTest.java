package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/** tpmauth keystore and tpmauth policy digest against a real swtpm and the tss2_* tools. */
class KeystoreCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    static Path config;
    static Path dir;

    /** PCR 16 and 23 at zero, as on a fresh swtpm. */
    static final String PCR_POLICY = "{\"description\":\"fresh\",\"policy\":[{\"type\":\"POLICYPCR\",\"pcrs\":["
            + "{\"pcr\":16,\"hashAlg\":\"TPM2_ALG_SHA256\",\"digest\":\"" + "00".repeat(32) + "\"},"
            + "{\"pcr\":23,\"hashAlg\":\"SHA256\",\"digest\":\"" + "00".repeat(32) + "\"}]}]}";

    @BeforeAll
    static void configure() throws IOException {
        dir = SWTPM.workDir();
        config = fapiConfig(SWTPM);
        Files.writeString(dir.resolve("pcr.json"), PCR_POLICY);
        ks("provision").ok();
    }

    /** A FAPI configuration (P_ECCP256SHA256, no EK certificate) for {@code swtpm}, in its work directory. */
    static Path fapiConfig(SwtpmExtension swtpm) throws IOException {
        Path work = swtpm.workDir();
        return Files.writeString(work.resolve("fapi-config.json"), """
                {"profile_name": "P_ECCP256SHA256", "profile_dir": "/etc/tpm2-tss/fapi-profiles/",
                 "user_dir": "%s", "system_dir": "%s", "tcti": "%s", "system_pcrs": [], "log_dir": "%s",
                 "ek_cert_less": "yes"}
                """.formatted(work.resolve("user"), work.resolve("system"), swtpm.tcti(), work.resolve("log")));
    }

    static Cli.Result ks(String command, String... args) {
        return ks(SWTPM, config, command, args);
    }

    /** {@code tpmauth keystore command --fapi-config config args...}, with {@code swtpm} free for it. */
    static Cli.Result ks(SwtpmExtension swtpm, Path config, String command, String... args) {
        swtpm.disconnect();
        List<String> all = new java.util.ArrayList<>(List.of("keystore", command, "--fapi-config", config.toString()));
        all.addAll(List.of(args));
        return Cli.tpmauth(all.toArray(String[]::new));
    }

    static PublicKey pem(String pem) throws Exception {
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    @Test
    void createSignExportListDeleteAndFapiSignsTheKeyToo() throws Exception {
        assertEquals("created /P_ECCP256SHA256/HS/SRK/cliKey", ks("create", "/HS/SRK/cliKey", "--type", "sign,noDa")
                .ok().out().strip());
        Path data = Files.writeString(dir.resolve("data.txt"), "sign me");
        ks("sign", "/HS/SRK/cliKey", "--in", data.toString(), "--out", dir.resolve("sig.der").toString()).ok();
        PublicKey pub = pem(ks("export", "/HS/SRK/cliKey").ok().out());
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(pub);
        v.update("sign me".getBytes());
        assertTrue(v.verify(Files.readAllBytes(dir.resolve("sig.der"))));
        assertTrue(ks("list").ok().outLines().contains("/P_ECCP256SHA256/HS/SRK/cliKey"));
        assertEquals(List.of("/P_ECCP256SHA256/HS/SRK", "/P_ECCP256SHA256/HS/SRK/cliKey"),
                ks("list", "/HS/SRK").ok().outLines().stream().filter(l -> !l.contains("pcr")).toList());

        Files.write(dir.resolve("d.bin"), java.security.MessageDigest.getInstance("SHA-256").digest(new byte[1]));
        Tools.run(SWTPM, java.util.Map.of("TSS2_FAPICONF", config.toString()), "tss2_sign", "--keyPath",
                "/HS/SRK/cliKey", "--digest", "d.bin", "--signature", "fapi.der", "--force");

        ks("delete", "/HS/SRK/cliKey").ok();
        String error = ks("sign", "/HS/SRK/cliKey", "--in", data.toString(), "--out", "x").fails();
        assertTrue(error.contains("no object at /P_ECCP256SHA256/HS/SRK/cliKey"), error);
    }

    /**
     * --key keystore:PATH reads the keystore TSS2_FAPICONF names (this JVM's environment, which the test
     * cannot set): the refusal names the keystore, its configuration or the missing object.
     */
    @Test
    void keyOptionTakesAKeystorePath() {
        SWTPM.disconnect();
        String error = Cli.tpmauthOn(SWTPM.tcti(), "key", "public", "--key", "keystore:/HS/SRK/noSuchKey").fails();
        assertTrue(error.contains("FAPI configuration") || error.contains("/HS/SRK/noSuchKey"), error);
    }

    static String fapi(String shell) {
        return Tools.run(SWTPM, java.util.Map.of("TSS2_FAPICONF", config.toString()), "sh", "-c", shell);
    }

    static boolean verifies(String keyPath, Path signature, String message) throws Exception {
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(pem(ks("export", keyPath).ok().out()));
        v.update(message.getBytes());
        return v.verify(Files.readAllBytes(signature));
    }

    /**
     * --key keystore:PATH takes any keystore key: below a storage key with a password (--auth-file), under a
     * PolicyOR (--policy-branch, or the error lists the branch names), with --fapi-config.
     */
    @Test
    void keyOptionTakesKeysBelowProtectedParentsUnderBranchPolicies() throws Exception {
        Files.writeString(dir.resolve("or.json"), """
                {"description": "PCR 16 at zero, or the key's auth value", "policy": [{"type": "POLICYOR", "branches": [
                  {"name": "pcr", "description": "PCR 16 holds zero", "policy": [{"type": "POLICYPCR", "pcrs": [
                    {"pcr": 16, "hashAlg": "SHA256", "digest": "%s"}]}]},
                  {"name": "password", "description": "the key's auth value", "policy": [{"type": "POLICYAUTHVALUE"}]}
                ]}]}
                """.formatted("00".repeat(32)));
        fapi("tss2_import --path /policy/or --importData or.json && tss2_createkey --path /HS/SRK/cliStore --type "
                + "restricted,decrypt,noDa --authValue spw && printf 'spw\\n' | tss2_createkey --path "
                + "/HS/SRK/cliStore/leaf --type sign,noDa --policyPath /policy/or --authValue lpw");
        Path spw = Files.writeString(dir.resolve("spw.txt"), "spw\n");
        Path lpw = Files.writeString(dir.resolve("lpw.txt"), "lpw\n");
        Path data = Files.writeString(dir.resolve("leaf.txt"), "leaf");
        SWTPM.disconnect();
        List<String> sign = List.of("key", "sign", "--key", "keystore:/HS/SRK/cliStore/leaf", "--fapi-config",
                config.toString(), "--auth-file", "/HS/SRK/cliStore=" + spw, "--in", data.toString(), "--out",
                dir.resolve("leaf.der").toString());
        String error = Cli.tpmauthOn(SWTPM.tcti(), sign.toArray(String[]::new)).fails();
        assertTrue(error.contains("branches [pcr, password] all hold; choose one by name (tpmauth: --policy-branch "
                + "NAME"), error);
        List<String> byPcr = new java.util.ArrayList<>(sign);
        byPcr.addAll(List.of("--policy-branch", "pcr"));
        Cli.tpmauthOn(SWTPM.tcti(), byPcr.toArray(String[]::new)).ok();
        assertTrue(verifies("/HS/SRK/cliStore/leaf", dir.resolve("leaf.der"), "leaf"));
        ks("sign", "/HS/SRK/cliStore/leaf", "--auth-file", "/HS/SRK/cliStore=" + spw, "--policy-branch", "password",
                "--password-file", lpw.toString(), "--in", data.toString(), "--out", dir.resolve("leaf2.der").toString())
                .ok();
        assertTrue(verifies("/HS/SRK/cliStore/leaf", dir.resolve("leaf2.der"), "leaf"));
        // without the parent's password the TPM refuses to load it
        List<String> noParent = new java.util.ArrayList<>(byPcr);
        noParent.removeAll(List.of("--auth-file", "/HS/SRK/cliStore=" + spw));
        SWTPM.disconnect();
        assertTrue(Cli.tpmauthOn(SWTPM.tcti(), noParent.toArray(String[]::new)).fails().contains("TPM2_Load"));
    }

    /** PolicySecret on the owner hierarchy, whose password tss2_changeauth set: --auth-file /HS=F gives it. */
    @Test
    void policySecretOnTheOwnerTakesTheOwnerPasswordFile() throws Exception {
        Files.writeString(dir.resolve("owner.json"),
                "{\"description\":\"owner\",\"policy\":[{\"type\":\"POLICYSECRET\",\"objectName\":\"40000001\"}]}");
        ks("create", "/HS/SRK/byOwner", "--policy", dir.resolve("owner.json").toString()).ok();
        fapi("tss2_changeauth --entityPath /HS --authValue owner");
        try {
            Path owner = Files.writeString(dir.resolve("owner.txt"), "owner\n");
            Path data = Files.writeString(dir.resolve("o.txt"), "o");
            String error = ks("sign", "/HS/SRK/byOwner", "--in", data.toString(), "--out", "o.der").fails();
            assertTrue(error.contains("element 1 (PolicySecret)") && error.contains("TPM_RC_BAD_AUTH"), error);
            ks("sign", "/HS/SRK/byOwner", "--auth-file", "/HS=" + owner, "--in", data.toString(), "--out",
                    dir.resolve("o.der").toString()).ok();
            assertTrue(verifies("/HS/SRK/byOwner", dir.resolve("o.der"), "o"));
        } finally {
            fapi("printf 'owner\\n' | tss2_changeauth --entityPath /HS --authValue ''");
        }
    }

    @Test
    void pcrPolicyKeySignsUntilThePcrChanges() throws Exception {
        ks("create", "/HS/SRK/pcrKey", "--policy", dir.resolve("pcr.json").toString()).ok();
        Path data = Files.writeString(dir.resolve("p.txt"), "p");
        ks("sign", "/HS/SRK/pcrKey", "--in", data.toString(), "--out", dir.resolve("p.der").toString()).ok();
        Tools.run(SWTPM, "tpm2_pcrextend", "23:sha256=" + "01".repeat(32));
        try {
            String error = ks("sign", "/HS/SRK/pcrKey", "--in", data.toString(), "--out", "p2.der").fails();
            assertTrue(error.contains("element 1 (PolicyPCR)"), error);
        } finally {
            Tools.run(SWTPM, "tpm2_pcrreset", "23");
        }
    }

    @Test
    void sealAndUnsealWithAPassword() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "disk key");
        Path pw = Files.writeString(dir.resolve("pw.txt"), "pw\n");
        ks("seal", "/HS/SRK/disk", "--in", secret.toString(), "--password-file", pw.toString()).ok();
        assertEquals("disk key", ks("unseal", "/HS/SRK/disk", "--password-file", pw.toString()).ok().out());
        String error = ks("unseal", "/HS/SRK/disk").fails();
        assertTrue(error.startsWith("tpmauth: "), error);
    }

    @Test
    void policyDigestEqualsFapisAndNamesBadFields() throws IOException {
        assertEquals("599a9cca81c171e404e4afc462e7415ee799c498b00ff6edb68d07de1dc47a20",
                Cli.tpmauth("policy", "digest", dir.resolve("pcr.json").toString()).ok().out().strip());
        assertEquals(20 * 2, Cli.tpmauth("policy", "digest", dir.resolve("pcr.json").toString(), "--name-alg", "sha1")
                .ok().out().strip().length());
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"policy\":[{\"type\":\"POLICYNOPE\"}]}");
        String error = Cli.tpmauth("policy", "digest", bad.toString()).fails();
        assertTrue(error.contains("bad.json: policy[0].type"), error);
    }
}
