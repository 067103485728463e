package org.tpmauth.tss.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
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
