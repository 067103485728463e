package org.tpmauth.tss.types;

import java.util.Objects;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMU_PUBLIC_PARMS: the algorithm parameters of an object, selected by the object type
 * (TPMI_ALG_PUBLIC). With its type in front it is TPMT_PUBLIC_PARMS ({@link #marshalWithType},
 * {@link #readWithType}), the argument of TPM2_TestParms.
 */
public sealed interface TpmuPublicParms extends TpmMarshallable {
    /** The object type this member belongs to (RSA, ECC, KEYEDHASH, SYMCIPHER). */
    TpmAlg type();

    /**
     * TPMS_RSA_PARMS. {@code symmetric} is the cipher a storage key protects its children with (NULL
     * for other keys); an {@code exponent} of 0 means the default 65537.
     */
    record Rsa(TpmtSymDefObject symmetric, TpmtAsymScheme scheme, int keyBits, int exponent)
            implements TpmuPublicParms {
        public Rsa {
            requireObjectCipher(symmetric);
            requireScheme(scheme, TpmtAsymScheme.Kind.RSA_SCHEME);
        }

        /** An RSA key that protects no children (symmetric NULL), with the default exponent. */
        public Rsa(TpmtAsymScheme scheme, int keyBits) {
            this(TpmtSymDefObject.NULL, scheme, keyBits, 0);
        }

        @Override
        public TpmAlg type() {
            return TpmAlg.RSA;
        }

        @Override
        public void marshal(TpmWriter out) {
            symmetric.marshal(out);
            scheme.marshal(out);
            out.u16(keyBits).u32(exponent);
        }

        static Rsa read(TpmReader in) {
            return in.struct("TPMS_RSA_PARMS", r -> new Rsa(TpmtSymDefObject.read(r),
                    TpmtAsymScheme.read(r, TpmtAsymScheme.Kind.RSA_SCHEME), r.u16(), r.u32()));
        }
    }

    /** TPMS_ECC_PARMS. */
    record Ecc(TpmtSymDefObject symmetric, TpmtAsymScheme scheme, TpmEccCurve curveId, TpmtKdfScheme kdf)
            implements TpmuPublicParms {
        public Ecc {
            requireObjectCipher(symmetric);
            requireScheme(scheme, TpmtAsymScheme.Kind.ECC_SCHEME);
            Objects.requireNonNull(curveId, "curveId");
            Objects.requireNonNull(kdf, "kdf");
        }

        /** An ECC key that protects no children (symmetric NULL), without a KDF. */
        public Ecc(TpmtAsymScheme scheme, TpmEccCurve curveId) {
            this(TpmtSymDefObject.NULL, scheme, curveId, TpmtKdfScheme.NULL);
        }

        @Override
        public TpmAlg type() {
            return TpmAlg.ECC;
        }

        @Override
        public void marshal(TpmWriter out) {
            symmetric.marshal(out);
            scheme.marshal(out);
            curveId.marshal(out);
            kdf.marshal(out);
        }

        static Ecc read(TpmReader in) {
            return in.struct("TPMS_ECC_PARMS", r -> new Ecc(TpmtSymDefObject.read(r),
                    TpmtAsymScheme.read(r, TpmtAsymScheme.Kind.ECC_SCHEME), TpmEccCurve.read(r),
                    TpmtKdfScheme.read(r)));
        }
    }

    /** TPMS_KEYEDHASH_PARMS: an HMAC key, an XOR key or (scheme NULL) a sealed data object. */
    record KeyedHash(TpmtKeyedHashScheme scheme) implements TpmuPublicParms {
        public KeyedHash {
            Objects.requireNonNull(scheme, "scheme");
        }

        @Override
        public TpmAlg type() {
            return TpmAlg.KEYEDHASH;
        }

        @Override
        public void marshal(TpmWriter out) {
            scheme.marshal(out);
        }

        static KeyedHash read(TpmReader in) {
            return in.struct("TPMS_KEYEDHASH_PARMS", r -> new KeyedHash(TpmtKeyedHashScheme.read(r)));
        }
    }

    /** TPMS_SYMCIPHER_PARMS: a symmetric key object. */
    record SymCipher(TpmtSymDefObject sym) implements TpmuPublicParms {
        public SymCipher {
            requireObjectCipher(sym);
        }

        @Override
        public TpmAlg type() {
            return TpmAlg.SYMCIPHER;
        }

        @Override
        public void marshal(TpmWriter out) {
            sym.marshal(out);
        }

        static SymCipher read(TpmReader in) {
            return in.struct("TPMS_SYMCIPHER_PARMS", r -> new SymCipher(TpmtSymDefObject.read(r)));
        }
    }

    /** TPMT_PUBLIC_PARMS: the type, then the parameters. */
    default void marshalWithType(TpmWriter out) {
        type().marshal(out);
        marshal(out);
    }

    /** Reads the member that {@code type} selects. */
    static TpmuPublicParms read(TpmReader in, TpmAlg type) {
        return switch (type) {
            case RSA -> Rsa.read(in);
            case ECC -> Ecc.read(in);
            case KEYEDHASH -> KeyedHash.read(in);
            case SYMCIPHER -> SymCipher.read(in);
            default -> throw in.error(type + " is not an object type");
        };
    }

    /** Reads a TPMT_PUBLIC_PARMS. */
    static TpmuPublicParms readWithType(TpmReader in) {
        return in.struct("TPMT_PUBLIC_PARMS", r -> read(r, readType(r)));
    }

    /** Reads a TPMI_ALG_PUBLIC: the type of an object. */
    static TpmAlg readType(TpmReader in) {
        return AlgSets.readOneOf(in, AlgSets.PUBLIC_TYPES, "an object type (RSA, ECC, KEYEDHASH, SYMCIPHER)");
    }

    private static void requireObjectCipher(TpmtSymDefObject symmetric) {
        if (Objects.requireNonNull(symmetric, "symmetric") instanceof TpmtSymDefObject.Xor) {
            throw new IllegalArgumentException("XOR is not a TPMT_SYM_DEF_OBJECT algorithm");
        }
    }

    private static void requireScheme(TpmtAsymScheme scheme, TpmtAsymScheme.Kind kind) {
        if (!kind.allows(scheme.scheme())) {
            throw new IllegalArgumentException(scheme.scheme() + " is not a scheme of " + kind.structure());
        }
    }
}
