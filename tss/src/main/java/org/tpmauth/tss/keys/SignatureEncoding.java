package org.tpmauth.tss.keys;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.util.BigIntegers;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtSignature;

/**
 * TPM signatures in the encodings everything else reads: ECDSA as DER SEQUENCE { r, s } (what
 * openssl, JCA and TLS expect), RSA signatures as the raw big-endian signature value.
 */
public final class SignatureEncoding {
    private SignatureEncoding() {
    }

    public static byte[] standard(TpmtSignature signature) {
        if (signature instanceof TpmtSignature.Ecc ecc) {
            return ecdsaDer(ecc.r(), ecc.s());
        }
        if (signature instanceof TpmtSignature.Rsa rsa) {
            return rsa.sig();
        }
        throw new IllegalArgumentException("a " + signature.sigAlg() + " signature has no standard encoding");
    }

    /**
     * A signature in the standard encoding as the TPM takes it: {@code encoded} is DER SEQUENCE { r, s }
     * for ECDSA, the raw value for RSASSA and RSAPSS. Malformed DER is an IllegalArgumentException.
     */
    public static TpmtSignature fromStandard(TpmAlg sigAlg, TpmAlg hash, byte[] encoded) {
        return switch (sigAlg) {
            case ECDSA -> {
                BigInteger[] rs = ecdsaDerValues(encoded);
                yield new TpmtSignature.Ecc(sigAlg, hash, BigIntegers.asUnsignedByteArray(rs[0]),
                        BigIntegers.asUnsignedByteArray(rs[1]));
            }
            case RSASSA, RSAPSS -> new TpmtSignature.Rsa(sigAlg, hash, encoded.clone());
            default -> throw new IllegalArgumentException("a " + sigAlg + " signature has no standard encoding");
        };
    }

    private static BigInteger[] ecdsaDerValues(byte[] der) {
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(der);
            if (p instanceof ASN1Sequence seq && seq.size() == 2 && seq.getObjectAt(0) instanceof ASN1Integer r
                    && seq.getObjectAt(1) instanceof ASN1Integer s && r.getValue().signum() > 0
                    && s.getValue().signum() > 0 && Arrays.equals(p.getEncoded("DER"), der)) {
                return new BigInteger[] {r.getValue(), s.getValue()};
            }
        } catch (IOException | RuntimeException malformed) {
            throw new IllegalArgumentException("an ECDSA signature must be DER SEQUENCE { r, s }: "
                    + malformed.getMessage(), malformed);
        }
        throw new IllegalArgumentException("an ECDSA signature must be DER SEQUENCE { r, s } of two positive INTEGERs");
    }

    /**
     * DER SEQUENCE { INTEGER r, INTEGER s } with minimal (sign-correct) integers. Written out by hand: a TLS
     * handshake signs once, and two BigIntegers and an ASN.1 tree for that cost more than the bytes.
     */
    public static byte[] ecdsaDer(byte[] r, byte[] s) {
        int rStart = firstNonZero(r);
        int sStart = firstNonZero(s);
        int rLength = integerLength(r, rStart);
        int sLength = integerLength(s, sStart);
        int content = encodedSize(rLength) + encodedSize(sLength);
        byte[] out = new byte[encodedSize(content)];
        out[0] = 0x30; // SEQUENCE
        int at = putLength(out, 1, content);
        at = putInteger(out, at, r, rStart, rLength);
        putInteger(out, at, s, sStart, sLength);
        return out;
    }

    /** The index of the first non-zero byte; the last byte for zero (INTEGER 0 keeps one byte). */
    private static int firstNonZero(byte[] value) {
        int i = 0;
        while (i < value.length - 1 && value[i] == 0) {
            i++;
        }
        return i;
    }

    /** The INTEGER's content length: the significant bytes, a 0x00 before a set top bit. */
    private static int integerLength(byte[] value, int start) {
        if (value.length == 0) {
            return 1;
        }
        return value.length - start + ((value[start] & 0x80) != 0 ? 1 : 0);
    }

    private static int putInteger(byte[] out, int at, byte[] value, int start, int length) {
        out[at] = 0x02; // INTEGER
        at = putLength(out, at + 1, length);
        int significant = value.length - start;
        if (length > significant) {
            out[at++] = 0; // the leading 0x00 of a positive number with its top bit set, or of an empty one
        }
        System.arraycopy(value, start, out, at, Math.max(0, significant));
        return at + Math.max(0, significant);
    }

    /** Tag, length field and {@code length} content bytes (definite form; TPM numbers stay below 64 KiB). */
    private static int encodedSize(int length) {
        return 1 + (length < 0x80 ? 1 : length < 0x100 ? 2 : 3) + length;
    }

    private static int putLength(byte[] out, int at, int length) {
        if (length < 0x80) {
            out[at] = (byte) length;
            return at + 1;
        }
        if (length < 0x100) {
            out[at] = (byte) 0x81;
            out[at + 1] = (byte) length;
            return at + 2;
        }
        out[at] = (byte) 0x82;
        out[at + 1] = (byte) (length >> 8);
        out[at + 2] = (byte) length;
        return at + 3;
    }
}
