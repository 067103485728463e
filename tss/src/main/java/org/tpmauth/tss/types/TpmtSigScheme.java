package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMT_SIG_SCHEME: a signing scheme and its hash (TPMS_SCHEME_HASH), or ECDAA's hash and counter,
 * or TPM_ALG_NULL to use the key's own scheme. Also serves as TPMT_RSA_SCHEME / TPMT_ECC_SCHEME
 * for signing schemes, which share the layout.
 */
public record TpmtSigScheme(TpmAlg scheme, TpmAlg hash, int count) implements TpmMarshallable {
    public static final TpmtSigScheme NULL = new TpmtSigScheme(TpmAlg.NULL, TpmAlg.NULL, 0);

    public static TpmtSigScheme of(TpmAlg scheme, TpmAlg hash) {
        return new TpmtSigScheme(scheme, hash, 0);
    }

    public static TpmtSigScheme ecdsa(TpmAlg hash) {
        return of(TpmAlg.ECDSA, hash);
    }

    public static TpmtSigScheme rsassa(TpmAlg hash) {
        return of(TpmAlg.RSASSA, hash);
    }

    public static TpmtSigScheme rsapss(TpmAlg hash) {
        return of(TpmAlg.RSAPSS, hash);
    }

    @Override
    public void marshal(TpmWriter out) {
        scheme.marshal(out);
        if (scheme == TpmAlg.NULL) {
            return;
        }
        hash.marshal(out);
        if (scheme == TpmAlg.ECDAA) {
            out.u16(count);
        }
    }

    public static TpmtSigScheme read(TpmReader in) {
        return in.struct("TPMT_SIG_SCHEME", r -> {
            TpmAlg scheme = TpmAlg.read(r);
            return switch (scheme) {
                case NULL -> NULL;
                case RSASSA, RSAPSS, ECDSA, SM2, ECSCHNORR, HMAC -> of(scheme, TpmAlg.read(r));
                case ECDAA -> new TpmtSigScheme(scheme, TpmAlg.read(r), r.u16());
                default -> throw new org.tpmauth.tss.wire.TpmFormatException("TPMT_SIG_SCHEME", r.position() - 2,
                        "algorithm " + scheme + " is not a signing scheme");
            };
        });
    }
}
