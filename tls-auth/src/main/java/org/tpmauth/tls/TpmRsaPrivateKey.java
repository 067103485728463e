package org.tpmauth.tls;

import java.math.BigInteger;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPublicKey;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;

/** An RSA key in a TPM; {@link #getModulus()} gives JSSE the key size. */
public record TpmRsaPrivateKey(TpmKeys keys, TpmKey key) implements TpmPrivateKey, RSAKey {
    @Override
    public BigInteger getModulus() {
        return ((RSAPublicKey) publicKey()).getModulus();
    }
}
