package org.tpmauth.tss.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
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

    /** DER SEQUENCE { INTEGER r, INTEGER s } with minimal (sign-correct) integers. */
    public static byte[] ecdsaDer(byte[] r, byte[] s) {
        ASN1EncodableVector v = new ASN1EncodableVector(2);
        v.add(new ASN1Integer(new BigInteger(1, r)));
        v.add(new ASN1Integer(new BigInteger(1, s)));
        try {
            return new DERSequence(v).getEncoded("DER");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
