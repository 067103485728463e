package org.tpmauth.tss.types;

import java.util.Objects;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMU_PUBLIC_ID: the unique field of TPMT_PUBLIC, selected by the object type. It holds the public
 * key of an asymmetric key; for KEYEDHASH and SYMCIPHER objects a digest that binds the secret
 * (in a creation template: entropy, usually empty).
 */
public sealed interface TpmuPublicId extends TpmMarshallable {
    /** Whether this member belongs to objects of {@code type}. */
    boolean suits(TpmAlg type);

    /** TPM2B_PUBLIC_KEY_RSA: the modulus, unsigned big-endian. */
    record Rsa(byte[] modulus) implements TpmuPublicId {
        public Rsa {
            Objects.requireNonNull(modulus, "modulus");
        }

        @Override
        public boolean suits(TpmAlg type) {
            return type == TpmAlg.RSA;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.sized(modulus);
        }
    }

    /** TPMS_ECC_POINT: the public point. */
    record Ecc(TpmsEccPoint point) implements TpmuPublicId {
        public Ecc {
            Objects.requireNonNull(point, "point");
        }

        @Override
        public boolean suits(TpmAlg type) {
            return type == TpmAlg.ECC;
        }

        @Override
        public void marshal(TpmWriter out) {
            point.marshal(out);
        }
    }

    /** TPM2B_DIGEST: the keyedHash or sym member, of KEYEDHASH and SYMCIPHER objects. */
    record Digest(byte[] digest) implements TpmuPublicId {
        public Digest {
            Objects.requireNonNull(digest, "digest");
        }

        @Override
        public boolean suits(TpmAlg type) {
            return type == TpmAlg.KEYEDHASH || type == TpmAlg.SYMCIPHER;
        }

        @Override
        public void marshal(TpmWriter out) {
            out.sized(digest);
        }
    }

    /** The empty unique field of a creation template for {@code type}. */
    static TpmuPublicId empty(TpmAlg type) {
        return switch (type) {
            case RSA -> new Rsa(new byte[0]);
            case ECC -> new Ecc(TpmsEccPoint.EMPTY);
            case KEYEDHASH, SYMCIPHER -> new Digest(new byte[0]);
            default -> throw new IllegalArgumentException(type + " is not an object type");
        };
    }

    /** Reads the member that {@code type} selects. */
    static TpmuPublicId read(TpmReader in, TpmAlg type) {
        return switch (type) {
            case RSA -> new Rsa(in.struct("TPM2B_PUBLIC_KEY_RSA", r -> r.sized(Tpm2bLimits.PUBLIC_KEY_RSA)));
            case ECC -> new Ecc(TpmsEccPoint.read(in));
            case KEYEDHASH, SYMCIPHER -> new Digest(in.struct("TPM2B_DIGEST", r -> r.sized(Tpm2bLimits.DIGEST)));
            default -> throw in.error(type + " is not an object type");
        };
    }
}
