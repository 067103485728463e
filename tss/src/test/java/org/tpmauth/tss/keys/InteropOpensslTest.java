package org.tpmauth.tss.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.ReadPublic;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmReader;

/**
 * Key files cross between tpmauth and the C world on one swtpm: tpm2-openssl 1.1.1 (OpenSSL 3.0
 * provider) and tpm2-tools 5.4 write keys that tpmauth loads and signs with, openssl signs with
 * keys tpmauth wrote, and plain software openssl verifies every signature. Our Tpm lets go of
 * swtpm's single connection (and its loaded objects) before each outside program runs.
 */
class InteropOpensslTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    private static final byte[] MESSAGE = "interoperable TPM keys".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NO_PASSWORD = new byte[0];
    /** What tpm2-openssl gives its keys: sign and decrypt, userWithAuth, no noDA. */
    private static final int OPENSSL_KEY_ATTRIBUTES = 0x00060072;
    private static final int TOOLS_PARENT = 0x81000001;

    @TempDir
    Path dir;

    /** The selection of algorithms the interop runs with, named as in the brief. */
    enum Algorithm {
        EC_P256(KeyAlgorithm.EC_P256, List.of("-algorithm", "EC", "-pkeyopt", "group:P-256"), "ecc256"),
        RSA_2048(KeyAlgorithm.RSA_2048, List.of("-algorithm", "RSA", "-pkeyopt", "bits:2048"), "rsa2048");

        final KeyAlgorithm keys;
        final List<String> genpkey;
        final String tools;

        Algorithm(KeyAlgorithm keys, List<String> genpkey, String tools) {
            this.keys = keys;
            this.genpkey = genpkey;
            this.tools = tools;
        }

        List<SigningScheme> schemes() {
            return keys.isEcc() ? List.of(SigningScheme.ECDSA) : List.of(SigningScheme.PKCS1, SigningScheme.PSS);
        }
    }

    // ---- outside programs

    private Map<String, String> env() {
        return Map.of("TPM2OPENSSL_TCTI", SWTPM.tcti(), "TPM2TOOLS_TCTI", SWTPM.tcti());
    }

    /** openssl with the tpm2 provider (and the default one for everything else). */
    private ExternalTool.Result opensslTpm(String command, String... args) {
        List<String> line = new ArrayList<>(List.of("openssl", command, "-provider", "tpm2", "-provider", "default"));
        line.addAll(List.of(args));
        SWTPM.disconnect();
        return ExternalTool.run(dir, env(), line.toArray(String[]::new));
    }

    private ExternalTool.Result tool(String... command) {
        SWTPM.disconnect();
        return ExternalTool.run(dir, env(), command);
    }

    /** Plain software openssl verifies {@code sig} over MESSAGE with the public key in {@code pubPem}. */
    private void assertOpensslVerifies(String pubPem, String sig, SigningScheme scheme) throws Exception {
        Files.write(dir.resolve("msg"), MESSAGE);
        List<String> line = new ArrayList<>(List.of("openssl", "dgst", "-sha256", "-verify", pubPem, "-signature",
                sig));
        if (scheme == SigningScheme.PSS) {
            // saltlen -1: exactly the digest length
            line.addAll(List.of("-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-1"));
        }
        line.add("msg");
        ExternalTool.Result r = ExternalTool.run(dir, Map.of(), line.toArray(String[]::new));
        assertEquals("Verified OK", r.out().trim(), r.report());
    }

    private Path write(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
    }

    /** Signs MESSAGE with SHA-256 in tpmauth and writes the standard encoding to {@code name}. */
    private byte[] tpmauthSigns(TpmKeys keys, TpmKey key, SigningScheme scheme, String name) throws Exception {
        byte[] sig = keys.sign(key, Signatures.digest(TpmAlg.SHA256, MESSAGE), TpmAlg.SHA256, scheme);
        assertTrue(Signatures.verify(key.publicKey(), MESSAGE, sig, TpmAlg.SHA256, scheme));
        write(name, sig);
        return sig;
    }

    private static TpmtPublic publicArea(Tss2KeyFile file) {
        return TpmtPublic.readSized(new TpmReader(file.pubkey()));
    }

    // ---- tpm2-openssl -> tpmauth

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void opensslKeyLoadsAndSignsInTpmauth(Algorithm algorithm) throws Exception {
        List<String> gen = new ArrayList<>(algorithm.genpkey);
        gen.addAll(List.of("-out", "k.pem"));
        opensslTpm("genpkey", gen.toArray(String[]::new));
        opensslTpm("pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem");

        Tss2KeyFile file = Tss2KeyFile.read(dir.resolve("k.pem"));
        assertEquals(Optional.of(true), file.emptyAuth());
        assertEquals(TpmHandles.RH_OWNER, file.parent());
        assertEquals(OPENSSL_KEY_ATTRIBUTES, publicArea(file).objectAttributes());
        assertEquals(Files.readString(dir.resolve("k.pem")), file.toPem(), "written back byte for byte");

        try (TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
            TpmKey key = keys.load(file, NO_PASSWORD);
            assertEquals(Files.readString(dir.resolve("pub.pem")), PublicKeys.toPem(key.publicKey()),
                    "openssl's public key PEM and ours are the same text");
            for (SigningScheme scheme : algorithm.schemes()) {
                tpmauthSigns(keys, key, scheme, "sig." + scheme);
            }
        }
        for (SigningScheme scheme : algorithm.schemes()) {
            assertOpensslVerifies("pub.pem", "sig." + scheme, scheme);
        }
    }

    @Test
    void opensslKeyWithUserAuthSignsInTpmauthWithItsPasswordOnly() throws Exception {
        byte[] secret = "provider secret".getBytes(StandardCharsets.UTF_8);
        opensslTpm("genpkey", "-algorithm", "EC", "-pkeyopt", "group:P-256", "-pkeyopt",
                "user-auth:provider secret", "-out", "k.pem");
        Tss2KeyFile file = Tss2KeyFile.read(dir.resolve("k.pem"));
        assertEquals(Optional.of(false), file.emptyAuth(), "tpm2-openssl marks a key with user-auth emptyAuth FALSE");
        assertTrue(file.needsPassword());
        Tpm tpm = SWTPM.tpm();
        try (TpmKeys keys = new TpmKeys(tpm)) {
            TpmKey key = keys.load(file, secret);
            tpmauthSigns(keys, key, SigningScheme.ECDSA, "sig");
            write("pub.pem", PublicKeys.toPem(key.publicKey()));
            keys.unload(key);

            TpmKey without = keys.load(file, NO_PASSWORD);
            TpmException e = assertThrows(TpmException.class, () -> keys.sign(without,
                    Signatures.digest(TpmAlg.SHA256, MESSAGE), TpmAlg.SHA256, SigningScheme.ECDSA));
            assertTrue(e.getMessage().startsWith("this key has a password, and none was given"), e.getMessage());
        } finally {
            tpm.execute(new DictionaryAttackLockReset());
        }
        assertOpensslVerifies("pub.pem", "sig", SigningScheme.ECDSA);
    }

    // ---- tpmauth -> tpm2-openssl

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void tpmauthKeySignsWithOpenssl(Algorithm algorithm) throws Exception {
        try (TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
            Tss2KeyFile file = keys.create(algorithm.keys, NO_PASSWORD, TpmHandles.RH_OWNER);
            write("k.pem", file.toPem());
            write("pub.pem", PublicKeys.toPem(keys.load(file, NO_PASSWORD).publicKey()));
        }
        opensslTpm("pkey", "-in", "k.pem", "-pubout", "-out", "openssl-pub.pem");
        assertEquals(Files.readString(dir.resolve("pub.pem")), Files.readString(dir.resolve("openssl-pub.pem")));
        write("msg", MESSAGE);
        for (SigningScheme scheme : algorithm.schemes()) {
            List<String> sign = new ArrayList<>(List.of("-propquery", "?provider=tpm2", "-sign", "-inkey", "k.pem",
                    "-rawin", "-digest", "sha256", "-in", "msg", "-out", "sig." + scheme));
            if (scheme == SigningScheme.PSS) {
                sign.addAll(List.of("-pkeyopt", "rsa_padding_mode:pss"));
            }
            opensslTpm("pkeyutl", sign.toArray(String[]::new));
            assertOpensslVerifies("pub.pem", "sig." + scheme, scheme);
            byte[] sig = Files.readAllBytes(dir.resolve("sig." + scheme));
            assertTrue(Signatures.verify(publicKey("pub.pem"), MESSAGE, sig, TpmAlg.SHA256, scheme));
            if (scheme == SigningScheme.PSS) {
                assertEquals(32, Signatures.pssSaltLength((RSAPublicKey) publicKey("pub.pem"), sig, TpmAlg.SHA256));
            }
        }
        // the dgst form signs as well with OpenSSL 3.0 + tpm2-openssl 1.1.1
        opensslTpm("dgst", "-propquery", "?provider=tpm2", "-sha256", "-sign", "k.pem", "-out", "sig.dgst", "msg");
        assertOpensslVerifies("pub.pem", "sig.dgst", algorithm.schemes().get(0));
    }

    @Test
    void tpmauthPasswordKeySignsWithOpensslPassin() throws Exception {
        Tpm tpm = SWTPM.tpm();
        try (TpmKeys keys = new TpmKeys(tpm)) {
            Tss2KeyFile file = keys.create(KeyAlgorithm.RSA_2048, "pass phrase".getBytes(StandardCharsets.UTF_8),
                    TpmHandles.RH_OWNER);
            write("k.pem", file.toPem());
            TpmtPublic pub = publicArea(file);
            write("pub.pem", PublicKeys.toPem(pub.toPublicKey()));
        }
        write("msg", MESSAGE);
        try {
            opensslTpm("pkeyutl", "-propquery", "?provider=tpm2", "-sign", "-inkey", "k.pem", "-passin",
                    "pass:pass phrase", "-rawin", "-digest", "sha256", "-in", "msg", "-out", "sig");
            assertOpensslVerifies("pub.pem", "sig", SigningScheme.PKCS1);

            SWTPM.disconnect();
            ExternalTool.Result wrong = ExternalTool.attempt(dir, env(), "openssl", "pkeyutl", "-provider", "tpm2",
                    "-provider", "default", "-propquery", "?provider=tpm2", "-sign", "-inkey", "k.pem", "-passin",
                    "pass:wrong", "-rawin", "-digest", "sha256", "-in", "msg", "-out", "sig.wrong");
            assertNotEquals(0, wrong.exitCode(), wrong.report());
            assertTrue(wrong.stderr().contains("authorization HMAC check failed and DA counter incremented"),
                    wrong.report());
        } finally {
            tpm.execute(new DictionaryAttackLockReset());
        }
    }

    private PublicKey publicKey(String pemFile) throws Exception {
        try (PEMParser pem = new PEMParser(Files.newBufferedReader(dir.resolve(pemFile)))) {
            return new JcaPEMKeyConverter().getPublicKey(assertInstanceOf(SubjectPublicKeyInfo.class,
                    pem.readObject()));
        }
    }

    // ---- tpm2-tools (tpm2_create + tpm2_encodeobject under a persistent parent) -> tpmauth

    /** tpm2_createprimary + tpm2_evictcontrol: the parent at 0x81000001, unless swtpm has it already. */
    private void persistToolsParent() {
        try {
            SWTPM.tpm().execute(new ReadPublic(TOOLS_PARENT));
            return;
        } catch (TpmResponseException absent) {
            assertEquals(TpmRc.HANDLE, absent.baseCode(), absent.getMessage());
        }
        tool("tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc256:aes128cfb", "-c", "primary.ctx");
        tool("tpm2_evictcontrol", "-C", "o", "-c", "primary.ctx", "0x81000001");
        tool("tpm2_flushcontext", "-t"); // createprimary and evictcontrol leave their objects loaded
    }

    /** tpm2_create under 0x81000001 and tpm2_encodeobject, with extra tpm2_create / encode options. */
    private Tss2KeyFile toolsKey(String keyAlg, List<String> createOptions, List<String> encodeOptions)
            throws Exception {
        persistToolsParent();
        List<String> create = new ArrayList<>(List.of("tpm2_create", "-C", "0x81000001", "-G", keyAlg, "-u",
                "k.pub", "-r", "k.priv"));
        create.addAll(createOptions);
        tool(create.toArray(String[]::new));
        List<String> encode = new ArrayList<>(List.of("tpm2_encodeobject", "-C", "0x81000001", "-u", "k.pub", "-r",
                "k.priv", "-o", "k.pem"));
        encode.addAll(encodeOptions);
        tool(encode.toArray(String[]::new));
        // tpm2_encodeobject 5.4 leaves a session loaded; swtpm has three session slots
        tool("tpm2_flushcontext", "-l");
        Tss2KeyFile file = Tss2KeyFile.read(dir.resolve("k.pem"));
        assertEquals(TOOLS_PARENT, file.parent());
        return file;
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void encodeobjectKeyUnderPersistentParentLoadsAndSigns(Algorithm algorithm) throws Exception {
        String keyAlg = algorithm.keys.isEcc() ? "ecc256:ecdsa-sha256" : "rsa2048";
        Tss2KeyFile file = toolsKey(keyAlg, List.of(), List.of());
        assertEquals(Optional.of(false), file.emptyAuth(), "tpm2_encodeobject writes FALSE for a key without password");
        Tpm tpm = SWTPM.tpm();
        try (TpmKeys keys = new TpmKeys(tpm)) {
            TpmKey key = keys.load(file, NO_PASSWORD);
            write("pub.pem", PublicKeys.toPem(key.publicKey()));
            for (SigningScheme scheme : algorithm.schemes()) {
                tpmauthSigns(keys, key, scheme, "sig." + scheme);
            }
        }
        for (SigningScheme scheme : algorithm.schemes()) {
            assertOpensslVerifies("pub.pem", "sig." + scheme, scheme);
        }
    }

    @Test
    void encodeobjectKeyWithPasswordLoadsWithItDespiteItsInvertedEmptyAuth() throws Exception {
        Tss2KeyFile file = toolsKey("ecc256:ecdsa-sha256", List.of("-p", "tools pw"), List.of("-p"));
        assertEquals(Optional.of(true), file.emptyAuth(), "tpm2-tools 5.4 inverts emptyAuth (issue #3458)");
        Tpm tpm = SWTPM.tpm();
        try (TpmKeys keys = new TpmKeys(tpm)) {
            TpmKey key = keys.load(file, "tools pw".getBytes(StandardCharsets.UTF_8));
            tpmauthSigns(keys, key, SigningScheme.ECDSA, "sig");
            write("pub.pem", PublicKeys.toPem(key.publicKey()));
            keys.unload(key);

            TpmKey without = keys.load(file, NO_PASSWORD);
            TpmException e = assertThrows(TpmException.class, () -> keys.sign(without,
                    Signatures.digest(TpmAlg.SHA256, MESSAGE), TpmAlg.SHA256, SigningScheme.ECDSA));
            assertTrue(e.getMessage().startsWith("this key has a password, and none was given"), e.getMessage());
            assertEquals(TpmRc.AUTH_FAIL, assertInstanceOf(TpmResponseException.class, e.getCause()).baseCode(),
                    "tpm2_create keys have no noDA");
        } finally {
            tpm.execute(new DictionaryAttackLockReset());
        }
        assertOpensslVerifies("pub.pem", "sig", SigningScheme.ECDSA);
    }

    @Test
    void encodeobjectKeyWithFixedSchemeRefusesAnotherHash() throws Exception {
        Tss2KeyFile file = toolsKey("ecc256:ecdsa-sha256", List.of(), List.of());
        try (TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
            TpmKey key = keys.load(file, NO_PASSWORD);
            // refused before the TPM (which would answer TPM_RC_SCHEME), with the scheme the key takes
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> keys.sign(key,
                    Signatures.digest(TpmAlg.SHA384, MESSAGE), TpmAlg.SHA384, SigningScheme.ECDSA));
            assertTrue(e.getMessage().contains("this key signs with ecdsa-sha256 only"), e.getMessage());
            byte[] sig = keys.sign(key, Signatures.digest(TpmAlg.SHA256, MESSAGE), TpmAlg.SHA256, SigningScheme.ECDSA);
            assertTrue(Signatures.verify(key.publicKey(), MESSAGE, sig, TpmAlg.SHA256, SigningScheme.ECDSA));
        }
    }
}
