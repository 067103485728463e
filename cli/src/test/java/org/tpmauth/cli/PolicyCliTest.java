package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.keys.TpmAuthPolicy;
import org.tpmauth.tss.keys.TpmPolicy;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Authorized policies from the command line on swtpm: key create / seal --authorized-by, policy sign with a
 * software key (offline, from tpm2_pcrread-style values) and with a TPM key, unseal / key sign
 * --policy-signature; refused after tpm2_pcrextend, usable again with a newly signed policy. Interop:
 * --pcr-policy digests equal tpm2_createpolicy's and show in tpm2_readpublic after key persist.
 */
class PolicyCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    private static Path secret;
    private static Path message;
    private static Path signer;
    private static Path signerPub;

    @BeforeAll
    static void files() throws IOException {
        secret = Files.writeString(dir.resolve("secret.txt"), "volume key 42");
        message = Files.writeString(dir.resolve("message.txt"), "signed under a policy\n");
        signer = dir.resolve("signer.pem");
        signerPub = dir.resolve("signer-pub.pem");
        Cli.tool(dir, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                signer.toString()).succeeded();
        Cli.tool(dir, "openssl", "pkey", "-in", signer.toString(), "-pubout", "-out", signerPub.toString()).succeeded();
    }

    private static Cli.Result tpmauth(String... args) {
        return Cli.tpmauthOn(SWTPM.tcti(), args);
    }

    private static Path path(String name) {
        return dir.resolve(name);
    }

    private static void signAndVerify(Path key, String... policySignatures) {
        Path sig = path("message.sig");
        List<String> args = new ArrayList<>(List.of("key", "sign", "--key", key.toString(), "--in", message.toString(),
                "--out", sig.toString()));
        for (String p : policySignatures) {
            args.addAll(List.of("--policy-signature", p));
        }
        tpmauth(args.toArray(String[]::new)).ok();
        Path pub = path("key-pub.pem");
        tpmauth("key", "public", "--key", key.toString(), "--out", pub.toString()).ok();
        Cli.tool(dir, "openssl", "dgst", "-sha256", "-verify", pub.toString(), "-signature", sig.toString(),
                message.toString()).succeeded();
    }

    @Test
    void signedPolicyOutlivesAPcrChangeOnceTheOwnerSignsTheNewValues() throws Exception {
        Path key = path("authorized-key.pem");
        Path sealed = path("authorized-sealed.pem");
        tpmauth("key", "create", "--type", "ec-p256", "--authorized-by", signerPub.toString(), "--out",
                key.toString()).ok();
        tpmauth("seal", "--in", secret.toString(), "--authorized-by", signerPub.toString(), "--out", sealed.toString())
                .ok();
        String noPolicy = tpmauth("unseal", "--in", sealed.toString()).fails();
        assertTrue(noPolicy.contains("no signed policy was given"), noPolicy);

        Path before = path("before.sig");
        tpmauth("policy", "sign", "--signer", signer.toString(), "--pcrs", "sha256:0,7", "--name", "boot A", "--out",
                before.toString()).ok();
        assertTrue(Files.readString(before).startsWith("-----BEGIN " + TpmAuthPolicy.PEM_LABEL + "-----"));
        assertEquals("volume key 42",
                tpmauth("unseal", "--in", sealed.toString(), "--policy-signature", before.toString()).ok().out());
        signAndVerify(key, before.toString());

        Cli.tpm2(SWTPM, dir, "tpm2_pcrextend", "7:sha256=" + "11".repeat(32));
        String refused = tpmauth("unseal", "--in", sealed.toString(), "--policy-signature", before.toString()).fails();
        assertTrue(refused.contains("'boot A'") && refused.contains("PolicyPCR(sha256:[0, 7]) failed"), refused);
        String signRefused = tpmauth("key", "sign", "--key", key.toString(), "--policy-signature", before.toString(),
                "--in", message.toString(), "--out", path("x.sig").toString()).fails();
        assertTrue(signRefused.contains("PolicyPCR(sha256:[0, 7]) failed"), signRefused);

        // the owner signs the new values offline, from tpm2_pcrread's output: no TPM needed
        Path values = path("values.txt");
        Files.writeString(values, Cli.tpm2(SWTPM, dir, "tpm2_pcrread", "sha256:0,7").out());
        Path after = path("after.sig");
        Cli.tpmauth("policy", "sign", "--signer", signer.toString(), "--pcrs", "sha256:0,7", "--values",
                values.toString(), "--name", "boot B", "--out", after.toString(), "--add-to", key.toString()).ok();
        assertEquals("volume key 42", tpmauth("unseal", "--in", sealed.toString(), "--policy-signature",
                before.toString(), "--policy-signature", after.toString()).ok().out());
        assertEquals(1, Tss2KeyFile.read(key).authPolicy().size());
        signAndVerify(key); // the same key file, now carrying the new signed policy
    }

    @Test
    void aTpmKeySignsPoliciesAndBinaryValuesWork() throws Exception {
        Path tpmSigner = path("tpm-signer.pem");
        Path tpmSignerPub = path("tpm-signer-pub.pem");
        tpmauth("key", "create", "--type", "rsa-2048", "--out", tpmSigner.toString()).ok();
        tpmauth("key", "public", "--key", tpmSigner.toString(), "--out", tpmSignerPub.toString()).ok();
        Path sealed = path("tpm-signed-sealed.pem");
        tpmauth("seal", "--in", secret.toString(), "--authorized-by", tpmSignerPub.toString(), "--out",
                sealed.toString()).ok();
        Path values = path("values.bin");
        Cli.tpm2(SWTPM, dir, "tpm2_pcrread", "sha256:0,7", "-o", values.toString());
        Path sig = path("tpm-signed.sig");
        tpmauth("policy", "sign", "--signer", tpmSigner.toString(), "--pcrs", "sha256:0,7", "--values",
                values.toString(), "--out", sig.toString()).ok();
        assertEquals("volume key 42",
                tpmauth("unseal", "--in", sealed.toString(), "--policy-signature", sig.toString()).ok().out());
        String wrongSigner = tpmauth("unseal", "--in", sealed.toString(), "--policy-signature", signedBySoftwareKey())
                .fails();
        assertTrue(wrongSigner.contains("signed by another key"), wrongSigner);
    }

    private static String signedBySoftwareKey() {
        Path sig = path("software.sig");
        tpmauth("policy", "sign", "--signer", signer.toString(), "--pcrs", "sha256:0", "--out", sig.toString()).ok();
        return sig.toString();
    }

    @Test
    void pcrPolicyDigestEqualsTpm2CreatepolicyAndShowsInTpm2Readpublic() throws Exception {
        Path key = path("pcr-key.pem");
        tpmauth("key", "create", "--type", "ec-p256", "--pcr-policy", "sha256:0,7", "--out", key.toString()).ok();
        byte[] authPolicy = TpmtPublic.readSized(new TpmReader(Tss2KeyFile.read(key).pubkey())).authPolicy();
        Path toolsDigest = path("tools-policy.dat");
        Cli.tpm2(SWTPM, dir, "tpm2_createpolicy", "--policy-pcr", "-l", "sha256:0,7", "-L", toolsDigest.toString());
        assertArrayEquals(Files.readAllBytes(toolsDigest), authPolicy);
        signAndVerify(key);

        tpmauth("key", "persist", "--key", key.toString(), "--handle", "0x81000040").ok();
        try {
            String readPublic = Cli.tpm2(SWTPM, dir, "tpm2_readpublic", "-c", "0x81000040").out();
            assertTrue(readPublic.contains("authorization policy: " + HexFormat.of().formatHex(authPolicy)), readPublic);
        } finally {
            tpmauth("key", "evict", "--handle", "0x81000040").ok();
        }
    }

    /**
     * tpm2-tools unseals what tpmauth sealed, from the key file's parts (tpm2-tools 5.4's tpm2_load -r does
     * not take TSS2 PEM sealed data): password-less, PCR policy (tpm2_policypcr), and authorized policy
     * (tpm2_loadexternal of the signer in policy.sig, tpm2_verifysignature, tpm2_policyauthorize).
     */
    @Test
    void tpm2ToolsUnsealsTpmauthSealedFiles() throws Exception {
        Cli.tpm2(SWTPM, dir, "tpm2_createprimary", "-C", "o", "-G", "ecc256:aes128cfb", "-g", "sha256", "-a",
                "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt", "-c",
                path("srk.ctx").toString());
        Cli.tpm2(SWTPM, dir, "tpm2_flushcontext", "-t"); // without a resource manager, tpm2-tools leave transient objects loaded
        Path plain = path("tools-plain.pem");
        tpmauth("seal", "--in", secret.toString(), "--out", plain.toString()).ok();
        loadParts(plain, "plain");
        assertEquals("volume key 42", Cli.tpm2(SWTPM, dir, "tpm2_unseal", "-c", path("plain.ctx").toString()).out());
        Cli.tpm2(SWTPM, dir, "tpm2_flushcontext", "-t");

        Path pcr = path("tools-pcr.pem");
        tpmauth("seal", "--in", secret.toString(), "--pcr-policy", "sha256:0,7", "--out", pcr.toString()).ok();
        loadParts(pcr, "pcr");
        Path session = path("session.ctx");
        Cli.tpm2(SWTPM, dir, "tpm2_startauthsession", "--policy-session", "-S", session.toString());
        Cli.tpm2(SWTPM, dir, "tpm2_policypcr", "-S", session.toString(), "-l", "sha256:0,7");
        assertEquals("volume key 42", Cli.tpm2(SWTPM, dir, "tpm2_unseal", "-p", "session:" + session, "-c",
                path("pcr.ctx").toString()).out());
        Cli.tpm2(SWTPM, dir, "tpm2_flushcontext", "-t");

        Path authorized = path("tools-authorized.pem");
        tpmauth("seal", "--in", secret.toString(), "--authorized-by", signerPub.toString(), "--out",
                authorized.toString()).ok();
        Path sig = path("tools.sig");
        tpmauth("policy", "sign", "--signer", signer.toString(), "--pcrs", "sha256:0,7", "--out", sig.toString()).ok();
        TpmPolicy authorization = TpmAuthPolicy.read(sig).authorization();
        Path signerArea = Files.write(path("signer.pub"), TpmWriter.marshal(authorization.signer()::marshalSized));
        Path signature = Files.write(path("policy.tpmt"), TpmWriter.marshal(authorization.signature()::marshal));
        Cli.tpm2(SWTPM, dir, "tpm2_loadexternal", "-C", "o", "-u", signerArea.toString(), "-c",
                path("signer.ctx").toString(), "-n",
                path("signer.name").toString());
        Path trial = path("trial.ctx");
        Path approved = path("approved.policy");
        Cli.tpm2(SWTPM, dir, "tpm2_startauthsession", "-S", trial.toString());
        Cli.tpm2(SWTPM, dir, "tpm2_policypcr", "-S", trial.toString(), "-l", "sha256:0,7", "-L", approved.toString());
        Cli.tpm2(SWTPM, dir, "tpm2_flushcontext", trial.toString());
        Path aHash = Files.write(path("ahash.bin"), MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(approved))); // policyRef is empty
        Cli.tpm2(SWTPM, dir, "tpm2_verifysignature", "-c", path("signer.ctx").toString(), "-d", aHash.toString(), "-s",
                signature.toString(), "-t", path("ticket.bin").toString());
        Cli.tpm2(SWTPM, dir, "tpm2_flushcontext", "-t");
        loadParts(authorized, "authorized");
        Cli.tpm2(SWTPM, dir, "tpm2_startauthsession", "--policy-session", "-S", session.toString());
        Cli.tpm2(SWTPM, dir, "tpm2_policypcr", "-S", session.toString(), "-l", "sha256:0,7");
        Cli.tpm2(SWTPM, dir, "tpm2_policyauthorize", "-S", session.toString(), "-i", approved.toString(), "-n",
                path("signer.name").toString(), "-t", path("ticket.bin").toString());
        assertEquals("volume key 42", Cli.tpm2(SWTPM, dir, "tpm2_unseal", "-p", "session:" + session, "-c",
                path("authorized.ctx").toString()).out());
        Cli.tpm2(SWTPM, dir, "tpm2_flushcontext", "-t");
    }

    /**
     * tpm2_load of a sealed key file's TPM2B_PUBLIC and TPM2B_PRIVATE under srk.ctx, as NAME.ctx (a saved
     * context: the next tool loads it again).
     */
    private static void loadParts(Path sealedFile, String name) throws IOException {
        Tss2KeyFile sealed = Tss2KeyFile.read(sealedFile);
        Path pub = Files.write(path(name + ".pub"), sealed.pubkey());
        Path priv = Files.write(path(name + ".priv"), sealed.privkey());
        Cli.tpm2(SWTPM, dir, "tpm2_load", "-C", path("srk.ctx").toString(), "-u", pub.toString(), "-r",
                priv.toString(), "-c",
                path(name + ".ctx").toString());
        Cli.tpm2(SWTPM, dir, "tpm2_flushcontext", "-t");
    }

    @Test
    void pcrsAndSignerTogetherAndBadSignatureFilesAreClearErrors() throws Exception {
        String both = tpmauth("key", "create", "--pcr-policy", "sha256:0", "--authorized-by", signerPub.toString(),
                "--out", path("both.pem").toString()).fails();
        assertTrue(both.contains("signed policies"), both);
        Path sealed = path("plain-sealed.pem");
        tpmauth("seal", "--in", secret.toString(), "--authorized-by", signerPub.toString(), "--out", sealed.toString())
                .ok();
        Path garbage = Files.writeString(path("garbage.sig"), "-----BEGIN TPMAUTH SIGNED POLICY-----\nAAAA\n"
                + "-----END TPMAUTH SIGNED POLICY-----\n");
        String bad = tpmauth("unseal", "--in", sealed.toString(), "--policy-signature", garbage.toString()).fails();
        assertTrue(bad.contains("is not a signed policy"), bad);
        String help = Cli.tpmauth("policy", "sign", "--help").ok().out();
        assertTrue(help.contains("--signer") && help.contains("--pcrs") && help.contains("--values"), help);
    }
}
