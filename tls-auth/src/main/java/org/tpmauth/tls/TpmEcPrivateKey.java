package org.tpmauth.tls;

import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;

/** An EC key in a TPM; {@link #getParams()} gives JSSE the curve. */
public record TpmEcPrivateKey(TpmKeys keys, TpmKey key) implements TpmPrivateKey, ECKey {
    @Override
    public ECParameterSpec getParams() {
        return ((ECPublicKey) publicKey()).getParams();
    }
}
