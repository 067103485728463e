package org.tpmauth.tls;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.crypto.util.DigestFactory;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmAlg;

/**
 * RSASSA-PSS with a chosen salt length, whatever salt rule the TPM applies to its own PSS (the spec
 * leaves it open: libtpms uses the hash length, FIPS-mode TPMs the maximum). With salt length = hash
 * length (what TLS 1.3 demands) the TPM's PSS is tried first and its signature checked against that
 * rule; if it differs, the key is marked and from then on signed by encoding PSS here and raising it to
 * the private exponent in the TPM (raw RSA, see {@link TpmKeys#rsaRaw}). Other salt lengths always take
 * that path.
 */
final class TpmPss {
    /** Names of keys whose TPM makes PSS with another salt length. */
    private static final Set<ByteBuffer> OTHER_SALT = ConcurrentHashMap.newKeySet();

    private TpmPss() {
    }

    /** PSS with MGF1 over the same hash and salt length = hash length. */
    static byte[] sign(TpmKeys keys, TpmKey key, byte[] digest, TpmAlg hash) throws SignatureException {
        ByteBuffer name = ByteBuffer.wrap(key.name());
        if (!OTHER_SALT.contains(name)) {
            byte[] signature = keys.sign(key, digest, hash, SigningScheme.PSS);
            if (verifies(key, digest, signature, hash)) {
                return signature;
            }
            OTHER_SALT.add(name);
        }
        return signWithRawRsa(keys, key, digest, hash, hash, hash.digestSize());
    }

    /** PSS encoded here, raw RSA in the TPM. */
    static byte[] signWithRawRsa(TpmKeys keys, TpmKey key, byte[] digest, TpmAlg hash, TpmAlg mgfHash, int saltLength)
            throws SignatureException {
        RSAPublicKey pub = (RSAPublicKey) key.publicKey();
        if (saltLength < 0 || saltLength > maxSaltLength(pub, hash)) {
            throw new SignatureException("PSS salt length " + saltLength + " does not fit a " + pub.getModulus().bitLength()
                    + "-bit key with " + hash.jcaDigestName() + " (at most " + maxSaltLength(pub, hash) + ")");
        }
        PSSSigner signer = PSSSigner.createRawSigner(new TpmRawRsa(keys, key, pub), digest(hash), digest(mgfHash),
                saltLength, PSSSigner.TRAILER_IMPLICIT);
        signer.init(true, new ParametersWithRandom(TpmRawRsa.publicParameters(pub), new SecureRandom()));
        signer.update(digest, 0, digest.length);
        try {
            return signer.generateSignature();
        } catch (TpmException e) {
            throw new SignatureException("PSS needs raw RSA (TPM2_RSA_Decrypt) here, and it failed; the key needs the "
                    + "decrypt attribute: " + e.getMessage(), e);
        } catch (CryptoException e) {
            throw new SignatureException(e.getMessage(), e);
        }
    }

    /** The largest PSS salt a key allows with a hash (RFC 8017 9.1.1: emLen - hLen - 2). */
    static int maxSaltLength(RSAPublicKey pub, TpmAlg hash) {
        int emLen = (pub.getModulus().bitLength() - 1 + 7) / 8;
        return emLen - hash.digestSize() - 2;
    }

    /** Whether {@code signature} is PSS over {@code digest} with salt length = hash length. */
    static boolean verifies(TpmKey key, byte[] digest, byte[] signature, TpmAlg hash) {
        PSSSigner verifier = PSSSigner.createRawSigner(new RSABlindedEngine(), digest(hash), digest(hash),
                hash.digestSize(), PSSSigner.TRAILER_IMPLICIT);
        verifier.init(false, TpmRawRsa.publicParameters((RSAPublicKey) key.publicKey()));
        verifier.update(digest, 0, digest.length);
        return verifier.verifySignature(signature);
    }

    private static Digest digest(TpmAlg hash) {
        return switch (hash) {
            case SHA1 -> DigestFactory.createSHA1();
            case SHA256 -> DigestFactory.createSHA256();
            case SHA384 -> DigestFactory.createSHA384();
            case SHA512 -> DigestFactory.createSHA512();
            default -> throw new IllegalArgumentException("PSS with " + hash + " is not offered");
        };
    }
}
