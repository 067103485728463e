package org.tpmauth.tss.sessions;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Mac;
import org.tpmauth.tss.types.TpmAlg;

/**
 * The TPM's key derivation functions (TPM 2.0 Part 1, "KDFa" and "KDFe"). Labels are given without
 * their terminating zero byte, which both functions add.
 */
public final class Kdf {
    private Kdf() {
    }

    /**
     * KDFa: SP800-108 counter mode with HMAC, K(i) = HMAC(key, i || label || 0 || contextU || contextV || bits).
     */
    public static byte[] kdfa(TpmAlg hash, byte[] key, String label, byte[] contextU, byte[] contextV, int bits) {
        return kdfa(SessionCrypto.keyedMac(hash, key), label, contextU, contextV, bits);
    }

    /** KDFa with {@code mac}, an HMAC engine keyed with the KDF's key (a session keeps one keyed). */
    static byte[] kdfa(Mac mac, String label, byte[] contextU, byte[] contextV, int bits) {
        byte[] labelBytes = labelBytes(label);
        byte[] size = SessionCrypto.u32(bits);
        return expand(bits, mac.getMacLength(), counter -> {
            mac.update(SessionCrypto.u32(counter));
            mac.update(labelBytes);
            mac.update(contextU);
            mac.update(contextV);
            return mac.doFinal(size);
        });
    }

    /**
     * KDFe: the SP800-56A concatenation KDF, K(i) = H(i || Z || label || 0 || partyUInfo || partyVInfo),
     * where Z is the x coordinate of an ECDH shared point.
     */
    public static byte[] kdfe(TpmAlg hash, byte[] z, String label, byte[] partyUInfo, byte[] partyVInfo, int bits) {
        byte[] otherInfo = SessionCrypto.concat(labelBytes(label), partyUInfo, partyVInfo);
        return expand(bits, hash.digestSize(), counter -> SessionCrypto.hash(hash, SessionCrypto.u32(counter), z,
                otherInfo));
    }

    private interface Block {
        byte[] compute(int counter);
    }

    /** Concatenates blocks 1, 2, ... and cuts to {@code bits}, masking the excess high bits of the first byte. */
    private static byte[] expand(int bits, int blockSize, Block block) {
        if (bits <= 0) {
            throw new IllegalArgumentException("a KDF needs a positive bit count, not " + bits);
        }
        int bytes = (bits + 7) / 8;
        byte[] out = new byte[(bytes + blockSize - 1) / blockSize * blockSize];
        for (int i = 0, off = 0; off < bytes; i++, off += blockSize) {
            System.arraycopy(block.compute(i + 1), 0, out, off, blockSize);
        }
        byte[] result = Arrays.copyOf(out, bytes);
        if (bits % 8 != 0) {
            result[0] &= (byte) ((1 << (bits % 8)) - 1);
        }
        return result;
    }

    private static byte[] labelBytes(String label) {
        byte[] ascii = label.getBytes(StandardCharsets.US_ASCII);
        return Arrays.copyOf(ascii, ascii.length + 1);
    }
}
