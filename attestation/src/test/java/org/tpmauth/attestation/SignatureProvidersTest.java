package org.tpmauth.attestation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The EC signatures of attestation (the JDK's hash, Bouncy Castle's ECDSA) are the JDK's SHAxxxwithECDSA. */
class SignatureProvidersTest {
    @Test
    void ecdsaInteroperatesWithTheJdksBothWays() throws Exception {
        byte[] message = new byte[300_000];
        new Random(7).nextBytes(message);
        for (String[] c : new String[][] {{"secp256r1", "SHA256withECDSA"}, {"secp384r1", "SHA384withECDSA"},
            {"secp256r1", "SHA512withECDSA"}}) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(c[0]));
            KeyPair key = g.generateKeyPair();
            Signature jdk = Signature.getInstance(c[1], "SunEC");
            jdk.initSign(key.getPrivate());
            jdk.update(message);
            byte[] byJdk = jdk.sign();
            assertTrue(verify(SignatureProviders.signature(c[1], key.getPublic()), key, message, byJdk), c[1]);

            Signature ours = SignatureProviders.signature(c[1], key.getPrivate());
            ours.initSign(key.getPrivate());
            ours.update(message, 0, 1000);
            ours.update(message, 1000, message.length - 1000);
            byte[] byUs = ours.sign();
            assertTrue(verify(Signature.getInstance(c[1], "SunEC"), key, message, byUs), c[1]);

            byte[] altered = message.clone();
            altered[message.length - 1] ^= 1;
            assertFalse(verify(SignatureProviders.signature(c[1], key.getPublic()), key, altered, byJdk), c[1]);
        }
    }

    private static boolean verify(Signature s, KeyPair key, byte[] message, byte[] signature) throws Exception {
        s.initVerify(key.getPublic());
        s.update(message);
        return s.verify(signature);
    }
}
