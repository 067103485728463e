package org.tpmauth.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.SignatureEncoding;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmAlg;

/** The prepared-input signer that OpenVPN, PKCS#11 and the NONEwith signatures share; every result checked in software. */
class TpmSignerTest {
    private static final byte[] MESSAGE = "prepared input".getBytes(StandardCharsets.UTF_8);
    private static TpmKeys keys;
    private static TpmPrivateKey ec;
    private static TpmPrivateKey ec384;
    private static TpmPrivateKey rsa;

    @BeforeAll
    static void load() throws Exception {
        TpmProvider.install();
        TestKeys t = TestKeys.get();
        keys = new TpmKeys(TestKeys.tpm());
        ec = t.privateKey(keys, KeyAlgorithm.EC_P256);
        ec384 = t.privateKey(keys, KeyAlgorithm.EC_P384);
        rsa = t.privateKey(keys, KeyAlgorithm.RSA_2048);
    }

    @AfterAll
    static void unload() {
        keys.close();
    }

    /** Digests of every length ECDSA users send: SHA-1, TLS 1.0's MD5+SHA-1, SHA-224 .. SHA-512, longer than the curve. */
    @ParameterizedTest
    @ValueSource(ints = {1, 20, 28, 32, 36, 48, 64, 100})
    void ecdsaOverADigestOfAnyLength(int length) throws Exception {
        byte[] digest = Arrays.copyOf(sha512(MESSAGE), Math.min(length, 64));
        if (length > 64) {
            digest = Arrays.copyOf(digest, length);
            digest[90] = 7;
        }
        for (TpmPrivateKey key : new TpmPrivateKey[] {ec, ec384}) {
            byte[] der = TpmSigner.ecdsa(key, digest);
            assertTrue(verifyPrehashedEcdsa(key.publicKey(), digest, der), key + " with " + length + " bytes");
            byte[] other = digest.clone();
            other[0] ^= 1;
            assertFalse(verifyPrehashedEcdsa(key.publicKey(), other, der));
        }
    }

    @Test
    void ecdsaPlainIsRAndSOfTheCurveSize() throws Exception {
        byte[] digest = sha256(MESSAGE);
        for (int i = 0; i < 8; i++) { // leading zero bytes in r or s show up within a few tries
            byte[] plain = TpmSigner.ecdsaPlain(ec, digest);
            assertEquals(64, plain.length);
            byte[] der = SignatureEncoding.ecdsaDer(Arrays.copyOf(plain, 32), Arrays.copyOfRange(plain, 32, 64));
            assertTrue(verifyPrehashedEcdsa(ec.publicKey(), digest, der));
        }
        assertEquals(96, TpmSigner.ecdsaPlain(ec384, digest).length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SHA-1", "SHA-256", "SHA-384", "SHA-512"})
    void pkcs1OverADigestInfoSignsInTheTpm(String hash) throws Exception {
        AlgorithmIdentifier alg = new AlgorithmIdentifier(switch (hash) {
            case "SHA-1" -> org.bouncycastle.asn1.oiw.OIWObjectIdentifiers.idSHA1;
            case "SHA-256" -> NISTObjectIdentifiers.id_sha256;
            case "SHA-384" -> NISTObjectIdentifiers.id_sha384;
            default -> NISTObjectIdentifiers.id_sha512;
        }, org.bouncycastle.asn1.DERNull.INSTANCE);
        byte[] info = new DigestInfo(alg, MessageDigest.getInstance(hash).digest(MESSAGE)).getEncoded("DER");
        byte[] signature = TpmSigner.pkcs1(rsa, info);
        Signature v = Signature.getInstance(hash.replace("-", "") + "withRSA");
        v.initVerify(rsa.publicKey());
        v.update(MESSAGE);
        assertTrue(v.verify(signature));
    }

    /** SHA-224 (no TPM RSASSA for it) and TLS 1.0's 36-byte MD5+SHA-1: padded here, raw RSA in the TPM. */
    @Test
    void pkcs1OverOtherInputIsPaddedHere() throws Exception {
        byte[] info = new DigestInfo(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha224,
                org.bouncycastle.asn1.DERNull.INSTANCE), MessageDigest.getInstance("SHA-224").digest(MESSAGE)).getEncoded("DER");
        Signature v = Signature.getInstance("SHA224withRSA");
        v.initVerify(rsa.publicKey());
        v.update(MESSAGE);
        assertTrue(v.verify(TpmSigner.pkcs1(rsa, info)));

        byte[] md5sha1 = new byte[36];
        System.arraycopy(MessageDigest.getInstance("MD5").digest(MESSAGE), 0, md5sha1, 0, 16);
        System.arraycopy(MessageDigest.getInstance("SHA-1").digest(MESSAGE), 0, md5sha1, 16, 20);
        Signature none = Signature.getInstance("NONEwithRSA", "BC");
        none.initVerify(rsa.publicKey());
        none.update(md5sha1);
        assertTrue(none.verify(TpmSigner.pkcs1(rsa, md5sha1)));

        var e = assertThrows(SignatureException.class, () -> TpmSigner.pkcs1(rsa, new byte[246]));
        assertTrue(e.getMessage().contains("at most 245"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 20, 32, 222})
    void pssWithAnySaltLength(int salt) throws Exception {
        byte[] signature = TpmSigner.pss(rsa, sha256(MESSAGE), TpmAlg.SHA256, salt);
        assertTrue(verifyPss(signature, "SHA-256", MGF1ParameterSpec.SHA256, salt));
        assertEquals(222, TpmSigner.maxPssSaltLength(rsa, TpmAlg.SHA256));
    }

    @Test
    void pssWithAnotherMgfHash() throws Exception {
        byte[] signature = TpmSigner.pss(rsa, sha256(MESSAGE), TpmAlg.SHA256, TpmAlg.SHA1, 32);
        assertTrue(verifyPss(signature, "SHA-256", MGF1ParameterSpec.SHA1, 32));
    }

    @Test
    void pssRefusesImpossibleSalts() {
        var e = assertThrows(SignatureException.class, () -> TpmSigner.pss(rsa, sha256(MESSAGE), TpmAlg.SHA256, 223));
        assertTrue(e.getMessage().contains("at most 222"), e.getMessage());
        assertThrows(SignatureException.class, () -> TpmSigner.pss(rsa, new byte[31], TpmAlg.SHA256, 32));
    }

    @Test
    void rawRsaIsThePrivateKeyOperation() throws Exception {
        RSAPublicKey pub = (RSAPublicKey) rsa.publicKey();
        byte[] block = new byte[256];
        block[1] = 0x42; // smaller than the modulus, with a leading zero byte
        block[255] = 1;
        byte[] raised = TpmSigner.rsaRaw(rsa, block);
        assertEquals(256, raised.length);
        Cipher c = Cipher.getInstance("RSA/ECB/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, pub);
        assertArrayEquals(block, leftPad(c.doFinal(raised), 256));
        byte[] tooBig = pub.getModulus().toByteArray();
        assertThrows(SignatureException.class, () -> TpmSigner.rsaRaw(rsa, Arrays.copyOfRange(tooBig, tooBig.length - 256, tooBig.length)));
    }

    @Test
    void wrongKeyTypesAreRefused() {
        assertThrows(SignatureException.class, () -> TpmSigner.ecdsa(rsa, new byte[32]));
        assertThrows(SignatureException.class, () -> TpmSigner.pkcs1(ec, new byte[32]));
        assertThrows(SignatureException.class, () -> TpmSigner.pss(ec, new byte[32], TpmAlg.SHA256, 32));
        assertThrows(SignatureException.class, () -> TpmSigner.rsaRaw(ec, new byte[32]));
    }

    private static boolean verifyPrehashedEcdsa(PublicKey key, byte[] digest, byte[] der) throws Exception {
        Signature v = Signature.getInstance("NONEwithECDSA", "BC"); // Bouncy Castle truncates any length as FIPS 186 says
        v.initVerify(key);
        v.update(digest);
        return v.verify(der);
    }

    private static boolean verifyPss(byte[] signature, String hash, MGF1ParameterSpec mgf, int salt) throws Exception {
        Signature v = Signature.getInstance("RSASSA-PSS", "SunRsaSign");
        v.setParameter(new PSSParameterSpec(hash, "MGF1", mgf, salt, 1));
        v.initVerify(rsa.publicKey());
        v.update(MESSAGE);
        return v.verify(signature);
    }

    private static byte[] leftPad(byte[] value, int size) {
        byte[] v = new BigInteger(1, value).toByteArray();
        byte[] out = new byte[size];
        int n = Math.min(v.length, size);
        System.arraycopy(v, v.length - n, out, size - n, n);
        return out;
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static byte[] sha512(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-512").digest(data);
    }
}
