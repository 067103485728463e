package org.tpmauth.tls;

import java.math.BigInteger;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricBlockCipher;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * The RSA private-key operation done by the TPM, as a Bouncy Castle block cipher, so that Bouncy Castle's
 * paddings (PSS, PKCS#1 type 1) wrap it instead of being written again here.
 */
final class TpmRawRsa implements AsymmetricBlockCipher {
    private final TpmKeys keys;
    private final TpmKey key;
    private final int size;

    TpmRawRsa(TpmKeys keys, TpmKey key, RSAPublicKey pub) {
        this.keys = keys;
        this.key = key;
        this.size = (pub.getModulus().bitLength() + 7) / 8;
    }

    static RSAKeyParameters publicParameters(RSAPublicKey pub) {
        return new RSAKeyParameters(false, pub.getModulus(), pub.getPublicExponent());
    }

    /** Bouncy Castle's paddings pick their mode from the key parameters; the TPM holds the real key. */
    static RSAKeyParameters privateMarker(RSAPublicKey pub) {
        return new RSAKeyParameters(true, pub.getModulus(), BigInteger.ONE);
    }

    @Override
    public void init(boolean forEncryption, CipherParameters param) {
    }

    /** One byte short of the modulus, as Bouncy Castle's RSA engine says for private-key operations. */
    @Override
    public int getInputBlockSize() {
        return size - 1;
    }

    @Override
    public int getOutputBlockSize() {
        return size;
    }

    @Override
    public byte[] processBlock(byte[] in, int inOff, int len) {
        return keys.rsaRaw(key, Arrays.copyOfRange(in, inOff, inOff + len));
    }
}
