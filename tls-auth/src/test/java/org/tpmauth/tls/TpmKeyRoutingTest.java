package org.tpmauth.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.KeyAgreement;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.bouncycastle.jcajce.util.JcaJceHelper;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * The signatures BC-JSSE gets from {@link TpmKeyRouting}: a TPM key signs in TPM2, a software key and
 * every verification on Bouncy Castle, whatever the order of setParameter and initSign.
 */
class TpmKeyRoutingTest {
    private static final byte[] MESSAGE = "routed by the key".getBytes(StandardCharsets.UTF_8);
    private static TpmKeys keys;
    private static TpmPrivateKey ec;
    private static TpmPrivateKey rsa;
    private static TpmKeyRouting routing;

    @BeforeAll
    static void load() throws Exception {
        Provider tpm2 = TpmProvider.install();
        routing = new TpmKeyRouting(Security.getProvider(BouncyCastleProvider.PROVIDER_NAME), tpm2);
        TestKeys t = TestKeys.get();
        keys = new TpmKeys(TestKeys.tpm());
        ec = t.privateKey(keys, KeyAlgorithm.EC_P256);
        rsa = t.privateKey(keys, KeyAlgorithm.RSA_2048);
    }

    @AfterAll
    static void unload() {
        keys.close();
    }

    @Test
    void tpmKeysSignInTheTpmSoftwareKeysOnBouncyCastle() throws Exception {
        KeyPair soft = TestPki.ecKey();
        for (String algorithm : new String[] {"SHA256withECDSA", "NoneWithECDSA"}) {
            byte[] input = algorithm.startsWith("SHA") ? MESSAGE : new byte[32];
            TpmProvider.clearLastSignatureScheme();
            assertVerifies(algorithm, soft.getPrivate(), soft.getPublic(), input);
            assertNull(TpmProvider.lastSignatureScheme(), "a software key never reaches the TPM");
            assertVerifies(algorithm, ec, ec.publicKey(), input); // TPM2 never verifies: the check ran on BC
            assertEquals("ecdsa_secp256r1_sha256", TpmProvider.lastSignatureScheme());
        }
    }

    /** TLS 1.2's PKCS#1 CertificateVerify: a raw signature of a DigestInfo, which BC's alternate provider misses. */
    @Test
    void rawRsaWithATpmKey() throws Exception {
        byte[] digestInfo = new DigestInfo(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE),
                MessageDigest.getInstance("SHA-256").digest(MESSAGE)).getEncoded();
        TpmProvider.clearLastSignatureScheme();
        assertVerifies("NoneWithRSA", rsa, rsa.publicKey(), digestInfo);
        assertEquals("rsa_pkcs1_sha256", TpmProvider.lastSignatureScheme());
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(rsa.publicKey());
        verifier.update(MESSAGE);
        assertTrue(verifier.verify(sign(routing.getHelper(), "NoneWithRSA", rsa, digestInfo)), "a PKCS#1 signature of MESSAGE");
    }

    /** BC-JSSE sets the PSS parameters on a signature before it knows the key. */
    @Test
    void pssParametersBeforeTheKey() throws Exception {
        PSSParameterSpec pss = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
        for (PrivateKey key : new PrivateKey[] {rsa, TestPki.rsaKey().getPrivate()}) {
            Signature signer = routing.getHelper().createSignature("RSASSA-PSS");
            signer.setParameter(pss);
            signer.initSign(key);
            signer.update(MESSAGE);
            byte[] signature = signer.sign();
            assertEquals(pss.toString(), signer.getParameters().getParameterSpec(PSSParameterSpec.class).toString());
            if (key == rsa) {
                Signature verifier = routing.getHelper().createSignature("RSASSA-PSS");
                verifier.setParameter(pss);
                verifier.initVerify(rsa.publicKey());
                verifier.update(MESSAGE);
                assertTrue(verifier.verify(signature));
            }
        }
        Signature wrongSalt = routing.getHelper().createSignature("RSASSA-PSS");
        wrongSalt.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 20, 1));
        assertThrows(InvalidKeyException.class, () -> wrongSalt.initSign(rsa), "TPM2 refuses a salt other than the hash length");
    }

    @Test
    void otherAlgorithmsAndMisuse() throws Exception {
        assertEquals("BC", routing.getHelper().createSignature("Ed25519").getProvider().getName());
        assertEquals("BC", routing.getHelper().createMessageDigest("SHA-256").getProvider().getName());
        Signature unused = routing.getHelper().createSignature("SHA256withECDSA");
        assertThrows(SignatureException.class, () -> unused.update(MESSAGE));
        Signature tampered = routing.getHelper().createSignature("SHA256withECDSA");
        tampered.initSign(ec);
        tampered.update(MESSAGE);
        byte[] signature = tampered.sign();
        Signature verifier = routing.getHelper().createSignature("SHA256withECDSA");
        verifier.initVerify(ec.publicKey());
        verifier.update("another message".getBytes(StandardCharsets.UTF_8));
        assertFalse(verifier.verify(signature));
    }

    /** BoundTls's layout: the JDK's ciphers and hashes, EC signatures on Bouncy Castle, TPM keys in TPM2. */
    @Test
    void ecSignaturesOnBouncyCastleTheRestOnTheInstalledProviders() throws Exception {
        List<String> asked = new ArrayList<>();
        Provider bc = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        Provider ecProvider = new Provider("BC-recorded", "1.0", "Bouncy Castle, each use recorded") {
            @Override
            public Service getService(String type, String algorithm) {
                asked.add(type + "." + algorithm);
                return bc.getService(type, algorithm);
            }
        };
        JcaJceHelper helper = TpmKeyRouting.ecSignaturesOn(ecProvider, TpmProvider.install()).getHelper();
        assertEquals("SunJCE", helper.createCipher("AES/GCM/NoPadding").getProvider().getName());
        assertEquals("SUN", helper.createMessageDigest("SHA-256").getProvider().getName());
        KeyPair soft = TestPki.ecKey();
        byte[] signature = sign(helper, "SHA256withECDSA", soft.getPrivate(), MESSAGE);
        assertEquals(List.of("Signature.SHA256withECDSA"), asked, "a software EC key signs on Bouncy Castle");
        assertTrue(verifies(helper, "SHA256withECDSA", soft.getPublic(), MESSAGE, signature));
        assertEquals(2, asked.size(), "EC signatures are checked on Bouncy Castle");
        Signature jdk = Signature.getInstance("SHA256withECDSA", "SunEC");
        jdk.initVerify(soft.getPublic());
        jdk.update(MESSAGE);
        assertTrue(jdk.verify(signature), "the same ECDSA as the JDK's");
        assertFalse(verifies(helper, "SHA256withECDSA", soft.getPublic(), "another".getBytes(StandardCharsets.UTF_8),
                signature));
        assertEquals(3, asked.size());

        TpmProvider.clearLastSignatureScheme();
        assertTrue(verifies(helper, "SHA256withECDSA", ec.publicKey(), MESSAGE, sign(helper, "SHA256withECDSA", ec,
                MESSAGE)));
        assertEquals("ecdsa_secp256r1_sha256", TpmProvider.lastSignatureScheme(), "a TPM key signs in TPM2");
        assertEquals(4, asked.size(), "only its check ran on Bouncy Castle");

        KeyPair rsaSoft = TestPki.rsaKey();
        assertTrue(verifies(helper, "SHA256withRSA", rsaSoft.getPublic(), MESSAGE, sign(helper, "SHA256withRSA",
                rsaSoft.getPrivate(), MESSAGE)));
        assertEquals(4, asked.size(), "other software keys sign and verify on the installed providers");

        // X25519 key shares on Bouncy Castle (key pair, the peer's key decoded, the agreement), the same secret as the JDK's
        KeyPairGenerator x25519 = helper.createKeyPairGenerator("X25519");
        x25519.initialize(255, new SecureRandom());
        KeyPair ours = x25519.generateKeyPair();
        KeyPair jdkPair = KeyPairGenerator.getInstance("X25519", "SunEC").generateKeyPair();
        PublicKey peer = helper.createKeyFactory("X25519").generatePublic(
                new X509EncodedKeySpec(jdkPair.getPublic().getEncoded()));
        KeyAgreement agreement = helper.createKeyAgreement("X25519");
        agreement.init(ours.getPrivate());
        agreement.doPhase(peer, true);
        KeyAgreement jdkAgreement = KeyAgreement.getInstance("X25519", "SunEC");
        jdkAgreement.init(jdkPair.getPrivate());
        jdkAgreement.doPhase(KeyFactory.getInstance("X25519", "SunEC").generatePublic(
                new X509EncodedKeySpec(ours.getPublic().getEncoded())), true);
        assertArrayEquals(jdkAgreement.generateSecret(), agreement.generateSecret());
        assertEquals(List.of("KeyPairGenerator.X25519", "KeyFactory.X25519", "KeyAgreement.X25519"),
                asked.subList(4, asked.size()), "X25519 on Bouncy Castle");
        assertEquals("SunEC", helper.createKeyAgreement("ECDH").getProvider().getName(), "NIST curves' ECDH stays the JDK's");
    }

    private static byte[] sign(JcaJceHelper helper, String algorithm, PrivateKey key, byte[] input) throws Exception {
        Signature signer = helper.createSignature(algorithm);
        signer.initSign(key);
        signer.update(input);
        return signer.sign();
    }

    private static boolean verifies(JcaJceHelper helper, String algorithm, PublicKey key, byte[] input, byte[] signature)
            throws Exception {
        Signature verifier = helper.createSignature(algorithm);
        verifier.initVerify(key);
        verifier.update(input);
        return verifier.verify(signature);
    }

    private static void assertVerifies(String algorithm, PrivateKey key, PublicKey publicKey, byte[] input)
            throws Exception {
        JcaJceHelper helper = routing.getHelper();
        assertTrue(verifies(helper, algorithm, publicKey, input, sign(helper, algorithm, key, input)), algorithm);
    }
}
