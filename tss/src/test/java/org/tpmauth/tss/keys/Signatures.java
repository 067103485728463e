package org.tpmauth.tss.keys;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import org.tpmauth.tss.types.TpmAlg;

/** Hashing and verification of tpmauth's signatures with the JDK's own providers. */
final class Signatures {
    private Signatures() {
    }

    static byte[] digest(TpmAlg hash, byte[] message) {
        try {
            return MessageDigest.getInstance(hash.jcaDigestName()).digest(message);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Whether {@code signature} (in {@link SignatureEncoding#standard} form) verifies over
     * {@code message}: SHAxwithECDSA, SHAxwithRSA, or RSASSA-PSS with MGF1 of the same hash and a salt
     * as long as the digest.
     */
    static boolean verify(PublicKey key, byte[] message, byte[] signature, TpmAlg hash, SigningScheme scheme) {
        String bits = String.valueOf(hash.digestSize() * 8);
        try {
            Signature v;
            switch (scheme) {
                case ECDSA -> v = Signature.getInstance("SHA" + bits + "withECDSA");
                case PKCS1 -> v = Signature.getInstance("SHA" + bits + "withRSA");
                case PSS -> {
                    v = Signature.getInstance("RSASSA-PSS");
                    v.setParameter(new PSSParameterSpec(hash.jcaDigestName(), "MGF1",
                            new MGF1ParameterSpec(hash.jcaDigestName()), hash.digestSize(), 1));
                }
                default -> throw new AssertionError(scheme);
            }
            v.initVerify(key);
            v.update(message);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("cannot verify a " + scheme + " signature: " + e, e);
        }
    }

    /**
     * The salt length inside an RSASSA-PSS signature (RFC 8017 section 9.1.2): opens the signature
     * with the public key, unmasks DB with MGF1 and counts the bytes after the 0x01 separator.
     */
    static int pssSaltLength(RSAPublicKey key, byte[] signature, TpmAlg hash) {
        int emBits = key.getModulus().bitLength() - 1;
        int emLen = (emBits + 7) / 8;
        byte[] em = toLength(new BigInteger(1, signature).modPow(key.getPublicExponent(), key.getModulus()), emLen);
        int hLen = hash.digestSize();
        if ((em[emLen - 1] & 0xff) != 0xbc) {
            throw new AssertionError("not a PSS encoding: the last byte is not 0xbc");
        }
        byte[] h = Arrays.copyOfRange(em, emLen - hLen - 1, emLen - 1);
        byte[] db = Arrays.copyOf(em, emLen - hLen - 1);
        byte[] mask = mgf1(hash, h, db.length);
        for (int i = 0; i < db.length; i++) {
            db[i] ^= mask[i];
        }
        db[0] &= (byte) (0xff >>> (8 * emLen - emBits));
        int i = 0;
        while (i < db.length && db[i] == 0) {
            i++;
        }
        if (i == db.length || db[i] != 1) {
            throw new AssertionError("not a PSS encoding: no 0x01 separator in DB");
        }
        return db.length - i - 1;
    }

    private static byte[] mgf1(TpmAlg hash, byte[] seed, int length) {
        byte[] out = new byte[length];
        for (int counter = 0, done = 0; done < length; counter++) {
            byte[] c = {(byte) (counter >>> 24), (byte) (counter >>> 16), (byte) (counter >>> 8), (byte) counter};
            byte[] block = digest(hash, concat(seed, c));
            int n = Math.min(block.length, length - done);
            System.arraycopy(block, 0, out, done, n);
            done += n;
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] toLength(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }
}
