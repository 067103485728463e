package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmEccCurve;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsEccPoint;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtKdfScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.types.TpmuPublicId;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmWriter;

/** The key commands against a real TPM engine (swtpm), cross-checked with JCA and tpm2-tools. */
class KeyCommandsSwtpmTest {
    private static final int BASE = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT | TpmaObject.SENSITIVE_DATA_ORIGIN
            | TpmaObject.USER_WITH_AUTH | TpmaObject.NO_DA;
    private static final int STORAGE = BASE | TpmaObject.RESTRICTED | TpmaObject.DECRYPT;
    private static final String TOOL_STORAGE_ATTRS = "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda"
            + "|restricted|decrypt";
    private static final TpmtPublic ECC_STORAGE = new TpmtPublic(TpmAlg.SHA256, STORAGE, new TpmuPublicParms.Ecc(
            TpmtSymDefObject.AES_128_CFB, TpmtAsymScheme.NULL, TpmEccCurve.NIST_P256, TpmtKdfScheme.NULL));
    private static final TpmtPublic RSA_STORAGE = new TpmtPublic(TpmAlg.SHA256, STORAGE,
            new TpmuPublicParms.Rsa(TpmtSymDefObject.AES_128_CFB, TpmtAsymScheme.NULL, 2048, 0));
    private static final TpmtPublic ECC_SIGNER = new TpmtPublic(TpmAlg.SHA256, BASE | TpmaObject.SIGN_ENCRYPT,
            new TpmuPublicParms.Ecc(TpmtAsymScheme.ecdsa(TpmAlg.SHA256), TpmEccCurve.NIST_P256));
    /** Sign and decrypt with scheme NULL, so each command picks its scheme. */
    private static final TpmtPublic RSA_ANY = new TpmtPublic(TpmAlg.SHA256,
            BASE | TpmaObject.SIGN_ENCRYPT | TpmaObject.DECRYPT, new TpmuPublicParms.Rsa(TpmtAsymScheme.NULL, 2048));
    private static final int RC_SIGNATURE = 0x09B;
    /** TPM_RC_BAD_AUTH: a wrong auth value for an object without dictionary-attack protection (noDA). */
    private static final int RC_BAD_AUTH = 0x0A2;

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static Tpm tpm;

    @BeforeAll
    static void connect() {
        tpm = SWTPM.tpm();
    }

    private static void flush(int handle) {
        tpm.execute(new FlushContext(handle));
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] sized(TpmtPublic pub) {
        return TpmWriter.marshal(pub::marshalSized);
    }

    private static int rcBase(TpmResponseException e) {
        return e.responseCode() & 0xBF; // drop the parameter / handle / session number of a format-one code
    }

    /** The public area and Name tpm2-tools get for the same primary template. */
    private record ToolPrimary(byte[] publicBytes, byte[] name) {
    }

    private static ToolPrimary toolPrimary(String keyAlg) throws Exception {
        Tools.run(SWTPM, "tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", keyAlg, "-a", TOOL_STORAGE_ATTRS, "-c",
                "primary.ctx");
        String out = Tools.run(SWTPM, "tpm2_readpublic", "-c", "primary.ctx", "-f", "tss", "-o", "primary.pub");
        Tools.run(SWTPM, "tpm2_flushcontext", "-t");
        return new ToolPrimary(Files.readAllBytes(SWTPM.workDir().resolve("primary.pub")), Tools.hexField(out, "name"));
    }

    private static void assertPrimaryMatchesTools(TpmtPublic template, String toolKeyAlg) throws Exception {
        ToolPrimary tools = toolPrimary(toolKeyAlg);
        CreatePrimary.Response r = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, template));
        try {
            assertArrayEquals(tools.publicBytes(), sized(r.outPublic()), "same seed and template, same key");
            assertArrayEquals(tools.name(), r.name());
            assertArrayEquals(r.name(), r.outPublic().name());
            assertEquals(TpmAlg.NULL, r.creationData().parentNameAlg());
            assertArrayEquals(HexFormat.of().parseHex("40000001"), r.creationData().parentName());
            assertArrayEquals(sha256(r.creationData().toBytes()), r.creationHash());
            assertEquals(TpmSt.CREATION, r.creationTicket().tag());
            assertEquals(TpmHandles.RH_OWNER, r.creationTicket().hierarchy());
            ReadPublic.Response read = tpm.execute(new ReadPublic(r.objectHandle()));
            assertArrayEquals(r.name(), read.name());
            assertArrayEquals(sized(r.outPublic()), sized(read.outPublic()));
        } finally {
            flush(r.objectHandle());
        }
    }

    @Test
    void eccStoragePrimaryIsTheOneTpm2ToolsCreates() throws Exception {
        assertPrimaryMatchesTools(ECC_STORAGE, "ecc256:aes128cfb");
    }

    @Test
    void rsaStoragePrimaryIsTheOneTpm2ToolsCreates() throws Exception {
        assertPrimaryMatchesTools(RSA_STORAGE, "rsa2048:aes128cfb");
    }

    /** A key created under and loaded into a fresh ECC storage primary. */
    private record Loaded(int parent, int handle, TpmtPublic pub, byte[] privateBlob, byte[] name) {
        void flushAll() {
            flush(handle);
            flush(parent);
        }
    }

    private static Loaded createAndLoad(TpmtPublic template) {
        int parent = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, ECC_STORAGE)).objectHandle();
        Create.Response created = tpm.execute(new Create(parent, TpmsSensitiveCreate.EMPTY, template));
        assertTrue(created.outPrivate().length > 0);
        Load.Response loaded = tpm.execute(new Load(parent, created.outPrivate(), created.outPublic()));
        assertArrayEquals(created.outPublic().name(), loaded.name());
        return new Loaded(parent, loaded.objectHandle(), created.outPublic(), created.outPrivate(), loaded.name());
    }

    private static byte[] p1363(TpmtSignature signature, int size) {
        TpmtSignature.Ecc ecc = assertInstanceOf(TpmtSignature.Ecc.class, signature);
        byte[] out = new byte[2 * size];
        System.arraycopy(ecc.r(), 0, out, size - ecc.r().length, ecc.r().length);
        System.arraycopy(ecc.s(), 0, out, 2 * size - ecc.s().length, ecc.s().length);
        return out;
    }

    private static boolean jcaVerifies(String algorithm, PublicKey key, byte[] message, byte[] signature,
            java.security.spec.AlgorithmParameterSpec params) throws Exception {
        Signature v = Signature.getInstance(algorithm);
        if (params != null) {
            v.setParameter(params);
        }
        v.initVerify(key);
        v.update(message);
        return v.verify(signature);
    }

    @Test
    void eccKeySignsVerifiesAndSurvivesAContextSwap() throws Exception {
        Loaded key = createAndLoad(ECC_SIGNER);
        try {
            ReadPublic.Response read = tpm.execute(new ReadPublic(key.handle()));
            assertArrayEquals(key.name(), read.name());
            assertArrayEquals(key.pub().toBytes(), read.outPublic().toBytes());
            PublicKey jca = read.outPublic().toPublicKey();
            assertInstanceOf(ECPublicKey.class, jca);

            byte[] message = "signed by the TPM".getBytes(StandardCharsets.UTF_8);
            byte[] digest = sha256(message);
            TpmtSignature sig = tpm.execute(new Sign(key.handle(), digest, TpmtSigScheme.ecdsa(TpmAlg.SHA256)))
                    .signature();
            assertTrue(jcaVerifies("SHA256withECDSAinP1363Format", jca, message, p1363(sig, 32), null));

            TpmtTicket verified = tpm.execute(new VerifySignature(key.handle(), digest, sig)).validation();
            assertEquals(TpmSt.VERIFIED, verified.tag());
            assertEquals(TpmHandles.RH_OWNER, verified.hierarchy());
            assertTrue(verified.digest().length > 0, "an HMAC under the hierarchy's proof");
            byte[] other = sha256("something else".getBytes(StandardCharsets.UTF_8));
            TpmResponseException bad = assertThrows(TpmResponseException.class,
                    () -> tpm.execute(new VerifySignature(key.handle(), other, sig)));
            assertEquals(RC_SIGNATURE, rcBase(bad));

            TpmtPublic external = TpmtPublic.ofPublicKey(jca, TpmAlg.SHA256, TpmaObject.SIGN_ENCRYPT
                    | TpmaObject.USER_WITH_AUTH, TpmtAsymScheme.ecdsa(TpmAlg.SHA256));
            LoadExternal.Response ext = tpm.execute(new LoadExternal(external, TpmHandles.RH_NULL));
            try {
                assertArrayEquals(external.name(), ext.name());
                TpmtTicket nullTicket = tpm.execute(new VerifySignature(ext.objectHandle(), digest, sig)).validation();
                assertTrue(nullTicket.isNull());
            } finally {
                flush(ext.objectHandle());
            }

            ContextSave.Response saved = tpm.execute(new ContextSave(key.handle()));
            assertEquals(0x80000000, saved.context().savedHandle(), "objects are saved under a generic handle");
            flush(key.handle());
            int reloaded = tpm.execute(new ContextLoad(saved.context())).loadedHandle();
            try {
                assertArrayEquals(key.name(), tpm.execute(new ReadPublic(reloaded)).name());
                TpmtSignature again = tpm.execute(new Sign(reloaded, digest, TpmtSigScheme.NULL)).signature();
                assertTrue(jcaVerifies("SHA256withECDSAinP1363Format", jca, message, p1363(again, 32), null));
            } finally {
                flush(reloaded);
            }
        } finally {
            flush(key.parent());
        }
    }

    @Test
    void rsaKeySignsAndDecrypts() throws Exception {
        Loaded key = createAndLoad(RSA_ANY);
        try {
            RSAPublicKey jca = assertInstanceOf(RSAPublicKey.class, key.pub().toPublicKey());
            assertEquals(2048, jca.getModulus().bitLength());
            byte[] message = "RSA message".getBytes(StandardCharsets.UTF_8);
            byte[] digest = sha256(message);

            TpmtSignature pkcs1 = tpm.execute(new Sign(key.handle(), digest, TpmtSigScheme.rsassa(TpmAlg.SHA256)))
                    .signature();
            assertTrue(jcaVerifies("SHA256withRSA", jca, message, assertInstanceOf(TpmtSignature.Rsa.class, pkcs1)
                    .sig(), null));
            assertTrue(tpm.execute(new VerifySignature(key.handle(), digest, pkcs1)).validation().digest().length > 0);

            TpmtSignature.Rsa pss = assertInstanceOf(TpmtSignature.Rsa.class, tpm.execute(new Sign(key.handle(),
                    digest, TpmtSigScheme.rsapss(TpmAlg.SHA256))).signature());
            assertEquals(TpmAlg.RSAPSS, pss.sigAlg());
            // libtpms salts with as many bytes as the digest has (what TLS 1.3 requires)
            assertTrue(jcaVerifies("RSASSA-PSS", jca, message, pss.sig(), new PSSParameterSpec("SHA-256", "MGF1",
                    MGF1ParameterSpec.SHA256, 32, 1)));
            tpm.execute(new VerifySignature(key.handle(), digest, pss));

            byte[] secret = "sixteen byte key".getBytes(StandardCharsets.UTF_8);
            TpmtAsymScheme oaep = TpmtAsymScheme.oaep(TpmAlg.SHA256);
            byte[] cipherText = tpm.execute(new RsaEncrypt(key.handle(), secret, oaep, new byte[0])).outData();
            assertEquals(256, cipherText.length);
            assertArrayEquals(secret, tpm.execute(new RsaDecrypt(key.handle(), cipherText, oaep, new byte[0]))
                    .message());

            Cipher jcaOaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
            jcaOaep.init(Cipher.ENCRYPT_MODE, jca, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                    PSource.PSpecified.DEFAULT));
            assertArrayEquals(secret, tpm.execute(new RsaDecrypt(key.handle(), jcaOaep.doFinal(secret), oaep,
                    new byte[0])).message());

            Cipher jcaPkcs1 = Cipher.getInstance("RSA/ECB/PKCS1Padding");
            jcaPkcs1.init(Cipher.ENCRYPT_MODE, jca);
            assertArrayEquals(secret, tpm.execute(new RsaDecrypt(key.handle(), jcaPkcs1.doFinal(secret),
                    TpmtAsymScheme.RSAES, new byte[0])).message());

            byte[] label = "label\0".getBytes(StandardCharsets.US_ASCII);
            byte[] labelled = tpm.execute(new RsaEncrypt(key.handle(), secret, oaep, label)).outData();
            assertArrayEquals(secret, tpm.execute(new RsaDecrypt(key.handle(), labelled, oaep, label)).message());
            byte[] wrongLabel = "other\0".getBytes(StandardCharsets.US_ASCII);
            assertThrows(TpmResponseException.class,
                    () -> tpm.execute(new RsaDecrypt(key.handle(), labelled, oaep, wrongLabel)));
        } finally {
            key.flushAll();
        }
    }

    @Test
    void ecdhZGenAgreesWithJca() throws Exception {
        TpmtPublic exchange = new TpmtPublic(TpmAlg.SHA256, BASE | TpmaObject.DECRYPT,
                new TpmuPublicParms.Ecc(TpmtAsymScheme.ecdh(TpmAlg.SHA256), TpmEccCurve.NIST_P256));
        Loaded key = createAndLoad(exchange);
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair peer = g.generateKeyPair();
            TpmsEccPoint peerPoint = TpmsEccPoint.of(((ECPublicKey) peer.getPublic()).getW(), TpmEccCurve.NIST_P256);
            TpmsEccPoint z = tpm.execute(new EcdhZGen(key.handle(), peerPoint)).outPoint();

            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(peer.getPrivate());
            ka.doPhase(key.pub().toPublicKey(), true);
            assertArrayEquals(ka.generateSecret(), z.x());
        } finally {
            key.flushAll();
        }
    }

    @Test
    void evictControlPersistsAndEvicts() throws Exception {
        int persistent = 0x81000010;
        CreatePrimary.Response primary = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, ECC_STORAGE));
        tpm.execute(new EvictControl(TpmHandles.RH_OWNER, primary.objectHandle(), persistent));
        flush(primary.objectHandle());
        try {
            ReadPublic.Response read = tpm.execute(new ReadPublic(persistent));
            assertArrayEquals(primary.name(), read.name());
            String tools = Tools.run(SWTPM, "tpm2_readpublic", "-c", "0x81000010", "-f", "tss", "-o", "persistent.pub");
            assertArrayEquals(read.outPublic().name(), Tools.hexField(tools, "name"));
            assertArrayEquals(Files.readAllBytes(SWTPM.workDir().resolve("persistent.pub")), sized(read.outPublic()));
        } finally {
            tpm.execute(EvictControl.evict(TpmHandles.RH_OWNER, persistent));
        }
        assertThrows(TpmResponseException.class, () -> tpm.execute(new ReadPublic(persistent)));
    }

    @Test
    void testParmsAcceptsWhatTheTpmSupports() {
        tpm.execute(new TestParms(ECC_SIGNER.parameters()));
        tpm.execute(new TestParms(RSA_STORAGE.parameters()));
        tpm.execute(new TestParms(new TpmuPublicParms.SymCipher(TpmtSymDefObject.AES_128_CFB)));
        assertThrows(TpmResponseException.class,
                () -> tpm.execute(new TestParms(new TpmuPublicParms.Rsa(TpmtAsymScheme.NULL, 1000))));
        assertThrows(TpmResponseException.class, () -> tpm.execute(new TestParms(
                new TpmuPublicParms.Ecc(TpmtAsymScheme.ecdsa(TpmAlg.SHA256), TpmEccCurve.NONE))));
    }

    @Test
    void createLoadedAndObjectChangeAuth() throws Exception {
        CreateLoaded.Response primary = tpm.execute(new CreateLoaded(TpmHandles.RH_OWNER, TpmsSensitiveCreate.EMPTY,
                ECC_STORAGE));
        int parent = primary.objectHandle();
        try {
            assertEquals(0, primary.outPrivate().length, "a primary has no private blob");
            CreatePrimary.Response same = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, ECC_STORAGE));
            flush(same.objectHandle());
            assertArrayEquals(same.name(), primary.name(), "CreateLoaded and CreatePrimary derive the same primary");

            CreateLoaded.Response key = tpm.execute(new CreateLoaded(parent, TpmsSensitiveCreate.EMPTY, ECC_SIGNER));
            assertTrue(key.outPrivate().length > 0);
            assertArrayEquals(key.outPublic().name(), key.name());
            byte[] newAuth = "new password".getBytes(StandardCharsets.UTF_8);
            byte[] changed = tpm.execute(new ObjectChangeAuth(key.objectHandle(), parent, newAuth)).outPrivate();
            flush(key.objectHandle());

            int reloaded = tpm.execute(new Load(parent, changed, key.outPublic())).objectHandle();
            try {
                byte[] digest = sha256(new byte[] {1});
                Sign sign = new Sign(reloaded, digest, TpmtSigScheme.NULL);
                TpmResponseException e = assertThrows(TpmResponseException.class, () -> tpm.execute(sign));
                assertEquals(RC_BAD_AUTH, rcBase(e));
                TpmtSignature sig = tpm.execute(sign, PasswordSession.of(newAuth)).signature();
                assertEquals(TpmAlg.ECDSA, sig.sigAlg());
            } finally {
                flush(reloaded);
            }
        } finally {
            flush(parent);
        }
    }

    @Test
    void templateUniqueIsFilledByTheTpm() {
        CreatePrimary.Response r = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, RSA_STORAGE));
        try {
            TpmuPublicId.Rsa unique = assertInstanceOf(TpmuPublicId.Rsa.class, r.outPublic().unique());
            assertEquals(256, unique.modulus().length);
        } finally {
            flush(r.objectHandle());
        }
    }
}
