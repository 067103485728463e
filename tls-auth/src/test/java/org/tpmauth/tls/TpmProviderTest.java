package org.tpmauth.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmAlg;

/** The TPM2 provider's signatures: made in the TPM, verified by the JDK; software keys and verification go elsewhere. */
class TpmProviderTest {
    private static final byte[] MESSAGE = "signed inside the TPM".getBytes(StandardCharsets.UTF_8);
    private static TpmKeys keys;
    private static TpmPrivateKey ec;
    private static TpmPrivateKey rsa;

    @BeforeAll
    static void load() throws Exception {
        TpmProvider.install();
        TestKeys t = TestKeys.get();
        Tss2KeyFile ecFile = Tss2KeyFile.read(t.keyFile(KeyAlgorithm.EC_P256));
        Tss2KeyFile rsaFile = Tss2KeyFile.read(t.keyFile(KeyAlgorithm.RSA_2048));
        keys = new TpmKeys(TestKeys.tpm());
        ec = TpmPrivateKey.of(keys, keys.load(ecFile, new byte[0]));
        rsa = TpmPrivateKey.of(keys, keys.load(rsaFile, new byte[0]));
    }

    @AfterAll
    static void unload() {
        keys.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA", "SHA256withRSA",
        "SHA384withRSA", "SHA512withRSA", "SHA256withRSAandMGF1", "SHA384withRSAandMGF1", "SHA512withRSAandMGF1"})
    void signsInTheTpmAndTheJdkVerifies(String algorithm) throws Exception {
        TpmPrivateKey key = algorithm.endsWith("ECDSA") ? ec : rsa;
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        assertEquals(TpmProvider.NAME, signer.getProvider().getName());
        signer.update(MESSAGE);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm.endsWith("MGF1") ? "RSASSA-PSS" : algorithm);
        if (algorithm.endsWith("MGF1")) {
            verifier.setParameter(pss("SHA-" + algorithm.substring(3, 6), Integer.parseInt(algorithm.substring(3, 6)) / 8));
        }
        verifier.initVerify(key.publicKey());
        assertNotEquals(TpmProvider.NAME, verifier.getProvider().getName());
        verifier.update(MESSAGE);
        assertTrue(verifier.verify(signature), algorithm);
    }

    @Test
    void rsassaPssTakesItsHashFromTheParameters() throws Exception {
        Signature signer = Signature.getInstance("RSASSA-PSS");
        signer.initSign(rsa);
        signer.setParameter(pss("SHA-384", 48));
        signer.update(MESSAGE);
        byte[] signature = signer.sign();
        assertEquals("rsa_pss_rsae_sha384", TpmProvider.lastSignatureScheme());
        Signature verifier = Signature.getInstance("RSASSA-PSS", "SunRsaSign");
        verifier.setParameter(pss("SHA-384", 48));
        verifier.initVerify(rsa.publicKey());
        verifier.update(MESSAGE);
        assertTrue(verifier.verify(signature));
    }

    @Test
    void pssWithAnotherSaltLengthIsRefused() throws Exception {
        Signature signer = Signature.getInstance("RSASSA-PSS", TpmProvider.install());
        signer.initSign(rsa);
        var e = assertThrows(InvalidAlgorithmParameterException.class, () -> signer.setParameter(pss("SHA-256", 20)));
        assertTrue(e.getMessage().contains("salt length must equal the digest length"), e.getMessage());
        assertThrows(InvalidAlgorithmParameterException.class, () -> signer.setParameter(
                new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA1, 32, 1)));
        // no parameters, no hash
        assertThrows(SignatureException.class, () -> signer.update(MESSAGE));
    }

    /** The path for TPMs whose own PSS salt differs: PSS encoded here, raw RSA (RSA_Decrypt) in the TPM. */
    @Test
    void pssEncodedHereWithRawRsaInTheTpm() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(MESSAGE);
        byte[] signature = TpmPss.signWithRawRsa(keys, rsa.key(), digest, TpmAlg.SHA256, TpmAlg.SHA256, 32);
        Signature verifier = Signature.getInstance("RSASSA-PSS", "SunRsaSign");
        verifier.setParameter(pss("SHA-256", 32));
        verifier.initVerify(rsa.publicKey());
        verifier.update(MESSAGE);
        assertTrue(verifier.verify(signature));
        assertTrue(TpmPss.verifies(rsa.key(), digest, signature, TpmAlg.SHA256));
        signature[10] ^= 1;
        assertFalse(TpmPss.verifies(rsa.key(), digest, signature, TpmAlg.SHA256));
    }

    @Test
    void noneWithEcdsaSignsADigest() throws Exception {
        Signature signer = Signature.getInstance("NONEwithECDSA");
        signer.initSign(ec);
        signer.update(MessageDigest.getInstance("SHA-256").digest(MESSAGE));
        assertTrue(verify("SHA256withECDSA", ec, signer.sign()));
        assertThrows(SignatureException.class, () -> signer.update(new byte[129]));
    }

    @Test
    void noneWithRsaSignsADigestInfo() throws Exception {
        byte[] digestInfo = new DigestInfo(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256),
                MessageDigest.getInstance("SHA-256").digest(MESSAGE)).getEncoded();
        Signature signer = Signature.getInstance("NONEwithRSA");
        signer.initSign(rsa);
        signer.update(digestInfo);
        assertTrue(verify("SHA256withRSA", rsa, signer.sign()));
        // not a DigestInfo: PKCS#1 v1.5 over the bytes as they are, as every NONEwithRSA does
        signer.update(new byte[32]);
        Signature raw = Signature.getInstance("NONEwithRSA", "BC");
        raw.initVerify(rsa.publicKey());
        raw.update(new byte[32]);
        assertTrue(raw.verify(signer.sign()));
    }

    @Test
    void softwareKeysAndVerificationGoToOtherProviders() throws Exception {
        KeyPair soft = TestPki.ecKey();
        for (String algorithm : new String[] {"SHA256withECDSA", "NONEwithECDSA"}) {
            Signature s = Signature.getInstance(algorithm);
            s.initSign(soft.getPrivate());
            assertNotEquals(TpmProvider.NAME, s.getProvider().getName());
        }
        KeyPair softRsa = TestPki.rsaKey();
        Signature pss = Signature.getInstance("RSASSA-PSS");
        pss.setParameter(pss("SHA-256", 32));
        pss.initSign(softRsa.getPrivate());
        assertNotEquals(TpmProvider.NAME, pss.getProvider().getName());

        Provider tpm2 = TpmProvider.install();
        Signature ours = Signature.getInstance("SHA256withECDSA", tpm2);
        assertThrows(InvalidKeyException.class, () -> ours.initSign(soft.getPrivate()));
        assertThrows(InvalidKeyException.class, () -> ours.initVerify(ec.publicKey()));
        assertThrows(InvalidKeyException.class, () -> ours.initSign(rsa)); // wrong key type
        Set<String> types = tpm2.getServices().stream().map(Provider.Service::getType).collect(Collectors.toSet());
        assertEquals(Set.of("Signature", "KeyStore"), types);
    }

    /** Bouncy Castle's provider declares no key classes: it refuses TPM keys, so JCA moves on to TPM2, and verifies. */
    @Test
    void tpmKeysReachTpm2WithBouncyCastleInstalled() throws Exception {
        TpmProvider.install();
        assertTrue(Security.getProvider("BC") != null, "install() adds Bouncy Castle for PSS verification");
        for (String algorithm : new String[] {"SHA256withECDSA", "NONEwithECDSA"}) {
            Signature s = Signature.getInstance(algorithm);
            s.initSign(ec);
            assertEquals(TpmProvider.NAME, s.getProvider().getName(), algorithm);
        }
        Signature pss = Signature.getInstance("SHA256withRSAandMGF1");
        pss.initSign(rsa);
        assertEquals(TpmProvider.NAME, pss.getProvider().getName());
        Signature soft = Signature.getInstance("SHA256withECDSA");
        soft.initSign(TestPki.ecKey().getPrivate());
        assertNotEquals(TpmProvider.NAME, soft.getProvider().getName());
        Signature verify = Signature.getInstance("SHA256withRSAandMGF1");
        verify.initVerify(rsa.publicKey());
        assertEquals("BC", verify.getProvider().getName());
    }

    @Test
    void tpmKeysCarryNoPrivateMaterial() {
        assertNull(ec.getEncoded());
        assertNull(ec.getFormat());
        assertEquals("EC", ec.getAlgorithm());
        assertEquals("RSA", rsa.getAlgorithm());
        assertEquals(256, ((TpmEcPrivateKey) ec).getParams().getCurve().getField().getFieldSize());
        assertEquals(2048, ((TpmRsaPrivateKey) rsa).getModulus().bitLength());
        assertInstanceOf(java.security.interfaces.ECKey.class, ec);
    }

    private static boolean verify(String algorithm, TpmPrivateKey key, byte[] signature) throws Exception {
        Signature v = Signature.getInstance(algorithm);
        v.initVerify(key.publicKey());
        v.update(MESSAGE);
        return v.verify(signature);
    }

    private static PSSParameterSpec pss(String hash, int salt) {
        return new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), salt, 1);
    }
}
