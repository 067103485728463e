package org.tpmauth.tss.types;

import java.util.EnumSet;
import java.util.Set;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMT_RSA_SCHEME, TPMT_ECC_SCHEME and TPMT_RSA_DECRYPT: an asymmetric scheme and its
 * TPMU_ASYM_SCHEME details. Signing schemes, key exchange schemes and OAEP carry a hash
 * (TPMS_SCHEME_HASH), ECDAA a hash and a commit count (TPMS_SCHEME_ECDAA), RSAES and NULL nothing.
 * The three structures share this layout and differ in the schemes they allow ({@link Kind}).
 */
public record TpmtAsymScheme(TpmAlg scheme, TpmAlg hash, int count) implements TpmMarshallable {
    public static final TpmtAsymScheme NULL = new TpmtAsymScheme(TpmAlg.NULL, TpmAlg.NULL, 0);
    /** RSAES-PKCS1-v1_5 encryption, which has no parameters. */
    public static final TpmtAsymScheme RSAES = new TpmtAsymScheme(TpmAlg.RSAES, TpmAlg.NULL, 0);

    /** Which structure is meant; each allows its own set of schemes. */
    public enum Kind {
        RSA_SCHEME("TPMT_RSA_SCHEME", EnumSet.of(TpmAlg.NULL, TpmAlg.RSASSA, TpmAlg.RSAPSS, TpmAlg.RSAES,
                TpmAlg.OAEP)),
        ECC_SCHEME("TPMT_ECC_SCHEME", EnumSet.of(TpmAlg.NULL, TpmAlg.ECDSA, TpmAlg.ECDH, TpmAlg.ECDAA, TpmAlg.SM2,
                TpmAlg.ECSCHNORR, TpmAlg.ECMQV)),
        RSA_DECRYPT("TPMT_RSA_DECRYPT", EnumSet.of(TpmAlg.NULL, TpmAlg.RSAES, TpmAlg.OAEP));

        private final String structure;
        private final Set<TpmAlg> schemes;

        Kind(String structure, Set<TpmAlg> schemes) {
            this.structure = structure;
            this.schemes = schemes;
        }

        public String structure() {
            return structure;
        }

        public boolean allows(TpmAlg scheme) {
            return schemes.contains(scheme);
        }
    }

    public TpmtAsymScheme {
        if (!Kind.RSA_SCHEME.allows(scheme) && !Kind.ECC_SCHEME.allows(scheme)) {
            throw new IllegalArgumentException(scheme + " is not an asymmetric scheme");
        }
        if (hasHash(scheme)) {
            AlgSets.require(hash, AlgSets.HASHES, "a hash algorithm");
        } else if (hash != TpmAlg.NULL) {
            throw new IllegalArgumentException(scheme + " takes no hash");
        }
        if (scheme == TpmAlg.ECDAA ? (count & ~0xffff) != 0 : count != 0) {
            throw new IllegalArgumentException("count " + count + " is not valid for " + scheme);
        }
    }

    /** A scheme whose details are just a hash (RSASSA, RSAPSS, OAEP, ECDSA, ECDH, SM2, ECSCHNORR, ECMQV). */
    public static TpmtAsymScheme of(TpmAlg scheme, TpmAlg hash) {
        return new TpmtAsymScheme(scheme, hash, 0);
    }

    public static TpmtAsymScheme rsassa(TpmAlg hash) {
        return of(TpmAlg.RSASSA, hash);
    }

    public static TpmtAsymScheme rsapss(TpmAlg hash) {
        return of(TpmAlg.RSAPSS, hash);
    }

    public static TpmtAsymScheme oaep(TpmAlg hash) {
        return of(TpmAlg.OAEP, hash);
    }

    public static TpmtAsymScheme ecdsa(TpmAlg hash) {
        return of(TpmAlg.ECDSA, hash);
    }

    public static TpmtAsymScheme ecdh(TpmAlg hash) {
        return of(TpmAlg.ECDH, hash);
    }

    public static TpmtAsymScheme ecdaa(TpmAlg hash, int count) {
        return new TpmtAsymScheme(TpmAlg.ECDAA, hash, count);
    }

    private static boolean hasHash(TpmAlg scheme) {
        return scheme != TpmAlg.NULL && scheme != TpmAlg.RSAES;
    }

    @Override
    public void marshal(TpmWriter out) {
        scheme.marshal(out);
        if (hasHash(scheme)) {
            hash.marshal(out);
        }
        if (scheme == TpmAlg.ECDAA) {
            out.u16(count);
        }
    }

    /** Reads the structure {@code kind} names, rejecting schemes it does not allow. */
    public static TpmtAsymScheme read(TpmReader in, Kind kind) {
        return in.struct(kind.structure, r -> {
            TpmAlg scheme = AlgSets.readOneOf(r, kind.schemes, "a scheme of " + kind.structure);
            TpmAlg hash = hasHash(scheme) ? AlgSets.readHash(r) : TpmAlg.NULL;
            int count = scheme == TpmAlg.ECDAA ? r.u16() : 0;
            return new TpmtAsymScheme(scheme, hash, count);
        });
    }
}
