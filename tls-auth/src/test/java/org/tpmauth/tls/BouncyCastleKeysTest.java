package org.tpmauth.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import org.bouncycastle.jcajce.provider.asymmetric.ec.BCECPrivateKey;
import org.bouncycastle.jcajce.provider.asymmetric.ec.BCECPublicKey;
import org.junit.jupiter.api.Test;

class BouncyCastleKeysTest {
    private static final byte[] MESSAGE = "a CertificateVerify".getBytes(StandardCharsets.UTF_8);

    @Test
    void aJdkEcKeyBecomesBouncyCastlesWithTheSameSecret() throws Exception {
        KeyPair jdk = jdkP256();
        PrivateKey bc = BouncyCastleKeys.ecSigningKey(jdk.getPrivate());
        assertInstanceOf(BCECPrivateKey.class, bc);
        assertEquals(((ECPrivateKey) jdk.getPrivate()).getS(), ((ECPrivateKey) bc).getS(), "the same secret");
        Signature signer = Signature.getInstance("SHA256withECDSA", BouncyCastleKeys.bouncyCastle());
        signer.initSign(bc);
        signer.update(MESSAGE);
        Signature jdkVerifier = Signature.getInstance("SHA256withECDSA", "SunEC");
        jdkVerifier.initVerify(jdk.getPublic());
        jdkVerifier.update(MESSAGE);
        assertTrue(jdkVerifier.verify(signer.sign()), "the JDK's public key verifies what the converted key signed");
        assertSame(bc, BouncyCastleKeys.ecSigningKey(bc), "a Bouncy Castle key stays as it is");
    }

    @Test
    void aJdkEcPublicKeyBecomesBouncyCastlesAndChecksTheSameSignatures() throws Exception {
        KeyPair jdk = jdkP256();
        PublicKey bc = BouncyCastleKeys.ecVerifyingKey(jdk.getPublic());
        assertInstanceOf(BCECPublicKey.class, bc);
        assertArrayEquals(jdk.getPublic().getEncoded(), bc.getEncoded(), "the same key");
        Signature signer = Signature.getInstance("SHA256withECDSA", "SunEC");
        signer.initSign(jdk.getPrivate());
        signer.update(MESSAGE);
        byte[] signature = signer.sign();
        for (byte[] message : new byte[][] {MESSAGE, "another".getBytes(StandardCharsets.UTF_8)}) {
            Signature verifier = Signature.getInstance("SHA256withECDSA", BouncyCastleKeys.bouncyCastle());
            verifier.initVerify(bc);
            verifier.update(message);
            assertEquals(message == MESSAGE, verifier.verify(signature));
        }
        assertSame(bc, BouncyCastleKeys.ecVerifyingKey(bc), "a Bouncy Castle key stays as it is");
        PublicKey rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();
        assertSame(rsa, BouncyCastleKeys.ecVerifyingKey(rsa), "an RSA key stays as it is");
    }

    private static KeyPair jdkP256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", "SunEC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    @Test
    void otherKeysStayAsTheyAre() throws Exception {
        PrivateKey rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        assertSame(rsa, BouncyCastleKeys.ecSigningKey(rsa), "an RSA key");
        ECPrivateKey noEncoding = new ECPrivateKey() { // a token's key: its secret cannot be read
            @Override
            public BigInteger getS() {
                return BigInteger.ONE;
            }

            @Override
            public ECParameterSpec getParams() {
                return null;
            }

            @Override
            public String getAlgorithm() {
                return "EC";
            }

            @Override
            public String getFormat() {
                return null;
            }

            @Override
            public byte[] getEncoded() {
                return null;
            }
        };
        assertSame(noEncoding, BouncyCastleKeys.ecSigningKey(noEncoding), "an EC key without an encoding");
        assertSame(noEncoding, BouncyCastleKeys.readBy(noEncoding, null));
    }

    @Test
    void readByTheInstalledProvidersKeepsTheKey() throws Exception {
        PrivateKey rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        assertArrayEquals(rsa.getEncoded(), BouncyCastleKeys.readBy(rsa, null).getEncoded());
    }
}
