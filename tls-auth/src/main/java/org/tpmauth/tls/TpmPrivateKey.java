package org.tpmauth.tls;

import java.security.PrivateKey;
import java.security.PublicKey;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmAlg;

/**
 * A private key that lives in a TPM: a handle to a loaded or persistent key and the {@link TpmKeys}
 * that signs with it. It carries no private material ({@link #getEncoded()} is {@code null}); only the
 * {@link TpmProvider}'s signatures accept it. Its EC and RSA forms implement {@code ECKey} /
 * {@code RSAKey} so JSSE can read the curve and the modulus size.
 */
public sealed interface TpmPrivateKey extends PrivateKey permits TpmEcPrivateKey, TpmRsaPrivateKey {
    /** The key operations of the TPM that holds the key. */
    TpmKeys keys();

    /** The TPM key. */
    TpmKey key();

    /** The public half (from the key's TPMT_PUBLIC). */
    default PublicKey publicKey() {
        return key().publicKey();
    }

    /** "EC" or "RSA". */
    @Override
    default String getAlgorithm() {
        return key().type() == TpmAlg.ECC ? "EC" : "RSA";
    }

    /** No encoding: the private key never leaves the TPM. */
    @Override
    default String getFormat() {
        return null;
    }

    @Override
    default byte[] getEncoded() {
        return null;
    }

    /** The TPM-backed private key for a loaded or persistent TPM key. */
    static TpmPrivateKey of(TpmKeys keys, TpmKey key) {
        return key.type() == TpmAlg.ECC ? new TpmEcPrivateKey(keys, key) : new TpmRsaPrivateKey(keys, key);
    }
}
