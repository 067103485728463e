package org.tpmauth.tls;

import java.math.BigInteger;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.encodings.PKCS1Encoding;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.keys.SignatureEncoding;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmEccCurve;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmuPublicParms;

/**
 * The one signer for every consumer of TPM keys that hands over already-prepared input instead of a
 * message: the JCA NONEwith signatures, OpenVPN's PK_SIGN requests, PKCS#11 C_Sign. It takes the inputs
 * those protocols send (a digest of any length for ECDSA, a DigestInfo or raw bytes for PKCS#1 v1.5, a
 * digest with any salt length for PSS, a block for "no padding") and does each inside the TPM where the
 * TPM can, otherwise pads here with Bouncy Castle and uses the TPM's raw RSA.
 */
public final class TpmSigner {
    /** The hashes a DigestInfo may name for the TPM's own RSASSA. */
    private static final Map<ASN1ObjectIdentifier, TpmAlg> DIGEST_INFO_HASHES = Map.of(
            OIWObjectIdentifiers.idSHA1, TpmAlg.SHA1,
            NISTObjectIdentifiers.id_sha256, TpmAlg.SHA256,
            NISTObjectIdentifiers.id_sha384, TpmAlg.SHA384,
            NISTObjectIdentifiers.id_sha512, TpmAlg.SHA512);
    /** The hashes the TPM signs digests of, smallest first. */
    private static final TpmAlg[] TPM_HASHES = {TpmAlg.SHA1, TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512};
    /** PKCS#1 v1.5 type 1 padding needs at least 11 bytes (RFC 8017 9.2). */
    private static final int PKCS1_OVERHEAD = 11;

    private TpmSigner() {
    }

    /** ECDSA over a digest of any length, DER SEQUENCE { r, s } (what TLS, OpenVPN and JCA expect). */
    public static byte[] ecdsa(TpmPrivateKey key, byte[] digest) throws SignatureException {
        return SignatureEncoding.standard(ecdsaSignature(key, digest));
    }

    /** ECDSA over a digest of any length, r || s each of the curve's size (PKCS#11 CKM_ECDSA). */
    public static byte[] ecdsaPlain(TpmPrivateKey key, byte[] digest) throws SignatureException {
        TpmtSignature.Ecc signature = (TpmtSignature.Ecc) ecdsaSignature(key, digest);
        int size = curve(key).coordinateSize();
        byte[] out = new byte[2 * size];
        copyRightAligned(signature.r(), out, 0, size);
        copyRightAligned(signature.s(), out, size, size);
        return out;
    }

    /**
     * RSASSA-PKCS1-v1_5 over prepared input: a DigestInfo of SHA-1/256/384/512 is signed by the TPM's own
     * RSASSA; anything else (another hash, TLS 1.0's MD5+SHA-1) is padded here and raised in the TPM.
     */
    public static byte[] pkcs1(TpmPrivateKey key, byte[] input) throws SignatureException {
        RSAPublicKey pub = rsa(key);
        DigestInfo info = digestInfo(input);
        TpmAlg hash = info == null ? null : DIGEST_INFO_HASHES.get(info.getAlgorithmId().getAlgorithm());
        try {
            if (hash != null && info.getDigest().length == hash.digestSize()) {
                return key.keys().sign(key.key(), info.getDigest(), hash, SigningScheme.PKCS1);
            }
            int size = (pub.getModulus().bitLength() + 7) / 8;
            if (input.length > size - PKCS1_OVERHEAD) {
                throw new SignatureException("PKCS#1 v1.5 input of " + input.length + " bytes does not fit a "
                        + pub.getModulus().bitLength() + "-bit key (at most " + (size - PKCS1_OVERHEAD) + ")");
            }
            PKCS1Encoding padding = new PKCS1Encoding(new TpmRawRsa(key.keys(), key.key(), pub));
            padding.init(true, TpmRawRsa.privateMarker(pub));
            return padding.processBlock(input, 0, input.length);
        } catch (TpmException | IllegalArgumentException | InvalidCipherTextException e) {
            throw failed(e);
        }
    }

    /**
     * RSASSA-PSS over a digest, MGF1 with {@code mgfHash}, the given salt length (0 up to
     * {@link #maxPssSaltLength}).
     */
    public static byte[] pss(TpmPrivateKey key, byte[] digest, TpmAlg hash, TpmAlg mgfHash, int saltLength)
            throws SignatureException {
        rsa(key);
        if (digest.length != hash.digestSize()) {
            throw new SignatureException("a " + hash.jcaDigestName() + " digest has " + hash.digestSize() + " bytes, not "
                    + digest.length);
        }
        try {
            if (mgfHash == hash && saltLength == hash.digestSize()) {
                return TpmPss.sign(key.keys(), key.key(), digest, hash);
            }
            return TpmPss.signWithRawRsa(key.keys(), key.key(), digest, hash, mgfHash, saltLength);
        } catch (TpmException | IllegalArgumentException e) {
            throw failed(e);
        }
    }

    /** RSASSA-PSS with MGF1 over the same hash. */
    public static byte[] pss(TpmPrivateKey key, byte[] digest, TpmAlg hash, int saltLength) throws SignatureException {
        return pss(key, digest, hash, hash, saltLength);
    }

    /** The largest PSS salt an RSA key allows with a hash ("saltlen=max" in OpenVPN and OpenSSL). */
    public static int maxPssSaltLength(TpmPrivateKey key, TpmAlg hash) throws SignatureException {
        return TpmPss.maxSaltLength(rsa(key), hash);
    }

    /** Raw RSA ("no padding"): {@code block}, at most the modulus size, raised to the private exponent. */
    public static byte[] rsaRaw(TpmPrivateKey key, byte[] block) throws SignatureException {
        RSAPublicKey pub = rsa(key);
        if (new BigInteger(1, block).compareTo(pub.getModulus()) >= 0) {
            throw new SignatureException("a raw RSA block must be smaller than the modulus");
        }
        try {
            return key.keys().rsaRaw(key.key(), block);
        } catch (TpmException | IllegalArgumentException e) {
            throw failed(e);
        }
    }

    /**
     * The TPM signs digests of its hash sizes. A digest of another length is brought to one without changing
     * the number ECDSA uses (FIPS 186-5 6.4.1: the leftmost bits, as many as the curve order has):
     * cut to the curve size, then zero-extended on the left to the next hash size.
     */
    private static TpmtSignature ecdsaSignature(TpmPrivateKey key, byte[] digest) throws SignatureException {
        if (!(key instanceof TpmEcPrivateKey)) {
            throw new SignatureException("ECDSA needs an EC key, not " + key.getAlgorithm());
        }
        TpmEccCurve curve = curve(key);
        byte[] input = digest;
        TpmAlg hash = hashOfSize(input.length);
        if (hash == null) {
            if (input.length > curve.coordinateSize()) {
                if (curve.coordinateSize() * 8 != orderBits(curve)) {
                    throw new SignatureException("ECDSA on " + curve + " takes digests of at most 64 bytes, not "
                            + input.length);
                }
                input = Arrays.copyOf(input, curve.coordinateSize());
            }
            hash = smallestHashOfAtLeast(input.length);
            byte[] padded = new byte[hash.digestSize()];
            System.arraycopy(input, 0, padded, padded.length - input.length, input.length);
            input = padded;
        }
        try {
            return key.keys().signRaw(key.key(), input, hash, SigningScheme.ECDSA);
        } catch (TpmException | IllegalArgumentException e) {
            throw failed(e);
        }
    }

    /** The hash a prepared input names (null: none): by digest length for ECDSA, by its DigestInfo for PKCS#1. */
    static TpmAlg hashOfPrepared(SigningScheme scheme, byte[] input) {
        if (scheme == SigningScheme.ECDSA) {
            return hashOfSize(input.length);
        }
        DigestInfo info = digestInfo(input);
        return info == null ? null : DIGEST_INFO_HASHES.get(info.getAlgorithmId().getAlgorithm());
    }

    /** The TPM hash with digests of {@code size} bytes, or null. */
    private static TpmAlg hashOfSize(int size) {
        return switch (size) {
            case 20 -> TpmAlg.SHA1;
            case 32 -> TpmAlg.SHA256;
            case 48 -> TpmAlg.SHA384;
            case 64 -> TpmAlg.SHA512;
            default -> null;
        };
    }

    private static TpmAlg smallestHashOfAtLeast(int size) {
        for (TpmAlg h : TPM_HASHES) {
            if (h != TpmAlg.SHA1 && h.digestSize() >= size) {
                return h;
            }
        }
        throw new IllegalStateException("no hash holds " + size + " bytes");
    }

    private static int orderBits(TpmEccCurve curve) {
        return curve == TpmEccCurve.NIST_P521 ? 521 : curve.coordinateSize() * 8;
    }

    private static TpmEccCurve curve(TpmPrivateKey key) {
        return ((TpmuPublicParms.Ecc) key.key().publicArea().parameters()).curveId();
    }

    private static RSAPublicKey rsa(TpmPrivateKey key) throws SignatureException {
        if (!(key instanceof TpmRsaPrivateKey)) {
            throw new SignatureException("this signature needs an RSA key, not " + key.getAlgorithm());
        }
        return (RSAPublicKey) key.publicKey();
    }

    /** A DigestInfo if the input is exactly one (DER), else null. */
    private static DigestInfo digestInfo(byte[] input) {
        try {
            DigestInfo info = DigestInfo.getInstance(input);
            return Arrays.equals(info.getEncoded("DER"), input) ? info : null;
        } catch (IllegalArgumentException | IllegalStateException | java.io.IOException e) {
            return null;
        }
    }

    private static void copyRightAligned(byte[] value, byte[] out, int offset, int size) {
        int skip = Math.max(0, value.length - size); // leading zeros beyond the size
        System.arraycopy(value, skip, out, offset + size - (value.length - skip), value.length - skip);
    }

    private static SignatureException failed(Exception e) {
        return new SignatureException("TPM signature failed: " + e.getMessage(), e);
    }
}
