package org.tpmauth.tls;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.jcajce.provider.asymmetric.ec.BCECPrivateKey;
import org.bouncycastle.jcajce.provider.asymmetric.ec.BCECPublicKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** Software keys as Bouncy Castle's own key objects, for code that signs with them on Bouncy Castle. */
public final class BouncyCastleKeys {
    private BouncyCastleKeys() {
    }

    /**
     * A software EC key as Bouncy Castle's key object, read once from its PKCS#8 encoding: Bouncy Castle
     * converts another provider's EC key for every signature and recomputes its curve's tables each time
     * (0.37 against 0.08 ms per P-256 signature). Any other key (TPM, RSA, not encodable) as it is, and an
     * EC key on a curve Bouncy Castle does not read too (it then signs as before).
     */
    public static PrivateKey ecSigningKey(PrivateKey key) {
        if (!(key instanceof ECPrivateKey) || key instanceof BCECPrivateKey) {
            return key;
        }
        try {
            return readBy(key, bouncyCastle());
        } catch (GeneralSecurityException e) {
            return key;
        }
    }

    /**
     * A software EC public key as Bouncy Castle's key object, read once from its X.509 encoding, for a key that
     * checks many signatures (a CA's): Bouncy Castle keeps its tables for the key's point in the key object and
     * so computes them once, where another provider's key is converted, and its tables computed, for every
     * check (P-256 verification 0.09 against 0.23 ms). Any other key as it is, also when Bouncy Castle cannot
     * read it.
     */
    public static PublicKey ecVerifyingKey(PublicKey key) {
        if (!(key instanceof ECPublicKey) || key instanceof BCECPublicKey || !"X.509".equals(key.getFormat())) {
            return key;
        }
        try {
            return KeyFactory.getInstance("EC", bouncyCastle()).generatePublic(new X509EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            return key;
        }
    }

    /**
     * {@code key} read again from its PKCS#8 encoding by {@code provider} (null: the installed providers'
     * choice), so that the provider signing with it gets its own key object; a key without an encoding (a
     * TPM's, a token's) as it is.
     */
    static PrivateKey readBy(PrivateKey key, Provider provider) throws GeneralSecurityException {
        byte[] pkcs8 = "PKCS#8".equals(key.getFormat()) ? key.getEncoded() : null;
        if (pkcs8 == null) {
            return key;
        }
        String algorithm = key instanceof ECKey ? "EC" : key.getAlgorithm();
        KeyFactory factory = provider == null ? KeyFactory.getInstance(algorithm)
                : KeyFactory.getInstance(algorithm, provider);
        return factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    /** Bouncy Castle's provider, which {@link TpmProvider#install()} installs when missing. */
    static Provider bouncyCastle() {
        TpmProvider.install();
        return Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
    }
}
