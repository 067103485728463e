package org.tpmauth.tls;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.AsymmetricBlockCipher;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.crypto.util.DigestFactory;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.commands.RsaDecrypt;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtAsymScheme;

/**
 * RSASSA-PSS with salt length = hash length, as TLS 1.3 demands, whatever salt rule the TPM applies to
 * its own PSS (the spec leaves it open: libtpms uses the hash length, FIPS-mode TPMs the maximum). The
 * TPM's PSS signature is checked against that rule; if it differs, this key is marked and from then on
 * signed by encoding PSS here and raising it to the private exponent in the TPM (TPM2_RSA_Decrypt with
 * the NULL scheme, i.e. raw RSA, which needs a key with the decrypt attribute).
 */
final class TpmPss {
    /** Names of keys whose TPM makes PSS with another salt length. */
    private static final Set<ByteBuffer> OTHER_SALT = ConcurrentHashMap.newKeySet();

    private TpmPss() {
    }

    static byte[] sign(TpmKeys keys, TpmKey key, byte[] digest, TpmAlg hash) throws SignatureException {
        ByteBuffer name = ByteBuffer.wrap(key.name());
        if (!OTHER_SALT.contains(name)) {
            byte[] signature = keys.sign(key, digest, hash, SigningScheme.PSS);
            if (verifies(key, digest, signature, hash)) {
                return signature;
            }
            OTHER_SALT.add(name);
        }
        return signWithRawRsa(keys, key, digest, hash);
    }

    /** PSS encoded here, raw RSA in the TPM. */
    static byte[] signWithRawRsa(TpmKeys keys, TpmKey key, byte[] digest, TpmAlg hash) throws SignatureException {
        RSAPublicKey pub = (RSAPublicKey) key.publicKey();
        PSSSigner signer = PSSSigner.createRawSigner(new TpmRawRsa(keys, key, pub.getModulus()), digest(hash),
                digest(hash), hash.digestSize(), PSSSigner.TRAILER_IMPLICIT);
        signer.init(true, new ParametersWithRandom(publicParameters(pub), new SecureRandom()));
        signer.update(digest, 0, digest.length);
        try {
            return signer.generateSignature();
        } catch (TpmException e) {
            throw new SignatureException("this TPM's PSS uses another salt length than TLS needs, and raw RSA "
                    + "(TPM2_RSA_Decrypt) failed too; the key needs the decrypt attribute: " + e.getMessage(), e);
        } catch (org.bouncycastle.crypto.CryptoException e) {
            throw new SignatureException(e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is PSS over {@code digest} with salt length = hash length. */
    static boolean verifies(TpmKey key, byte[] digest, byte[] signature, TpmAlg hash) {
        PSSSigner verifier = PSSSigner.createRawSigner(new RSABlindedEngine(), digest(hash), digest(hash),
                hash.digestSize(), PSSSigner.TRAILER_IMPLICIT);
        verifier.init(false, publicParameters((RSAPublicKey) key.publicKey()));
        verifier.update(digest, 0, digest.length);
        return verifier.verifySignature(signature);
    }

    private static RSAKeyParameters publicParameters(RSAPublicKey pub) {
        return new RSAKeyParameters(false, pub.getModulus(), pub.getPublicExponent());
    }

    private static Digest digest(TpmAlg hash) {
        return switch (hash) {
            case SHA256 -> DigestFactory.createSHA256();
            case SHA384 -> DigestFactory.createSHA384();
            case SHA512 -> DigestFactory.createSHA512();
            default -> throw new IllegalArgumentException("PSS with " + hash + " is not offered");
        };
    }

    /** The private-key RSA operation done by the TPM (TPM2_RSA_Decrypt, scheme NULL). */
    private static final class TpmRawRsa implements AsymmetricBlockCipher {
        private final TpmKeys keys;
        private final TpmKey key;
        private final int size;

        TpmRawRsa(TpmKeys keys, TpmKey key, BigInteger modulus) {
            this.keys = keys;
            this.key = key;
            this.size = (modulus.bitLength() + 7) / 8;
        }

        @Override
        public void init(boolean forEncryption, CipherParameters param) {
        }

        @Override
        public int getInputBlockSize() {
            return size;
        }

        @Override
        public int getOutputBlockSize() {
            return size;
        }

        @Override
        public byte[] processBlock(byte[] in, int inOff, int len) {
            byte[] block = leftPad(Arrays.copyOfRange(in, inOff, inOff + len));
            byte[] out = keys.tpm().execute(new RsaDecrypt(key.handle(), block, TpmtAsymScheme.NULL, new byte[0]),
                    key.auth()).message();
            return leftPad(out);
        }

        /** The TPM takes and gives big-endian numbers of the modulus size, leading zeros included or not. */
        private byte[] leftPad(byte[] value) {
            if (value.length >= size) {
                return value;
            }
            byte[] padded = new byte[size];
            System.arraycopy(value, 0, padded, size - value.length, value.length);
            return padded;
        }
    }
}
