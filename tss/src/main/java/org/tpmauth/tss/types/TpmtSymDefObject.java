package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMT_SYM_DEF_OBJECT, and TPMT_SYM_DEF which has the same layout and also allows XOR: the
 * algorithm selects TPMU_SYM_KEY_BITS and TPMU_SYM_MODE. A block cipher (AES, SM4, CAMELLIA) has a
 * key size and a mode, XOR has a hash and no mode, NULL has neither.
 */
public sealed interface TpmtSymDefObject extends TpmMarshallable {
    TpmtSymDefObject NULL = new Null();
    /** AES-128 in CFB mode: the symmetric cipher of storage keys and of parameter encryption. */
    TpmtSymDefObject AES_128_CFB = aesCfb(128);

    /** The symmetric algorithm (TPMI_ALG_SYM_OBJECT or TPMI_ALG_SYM). */
    TpmAlg algorithm();

    /** TPM_ALG_NULL: no symmetric algorithm. */
    record Null() implements TpmtSymDefObject {
        @Override
        public TpmAlg algorithm() {
            return TpmAlg.NULL;
        }

        @Override
        public void marshal(TpmWriter out) {
            TpmAlg.NULL.marshal(out);
        }
    }

    /** A block cipher with its key size in bits and its mode (TPMI_ALG_SYM_MODE, NULL for "any"). */
    record Cipher(TpmAlg algorithm, int keyBits, TpmAlg mode) implements TpmtSymDefObject {
        public Cipher {
            AlgSets.require(algorithm, AlgSets.BLOCK_CIPHERS, "a block cipher");
            AlgSets.require(mode, AlgSets.SYM_MODES, "a block cipher mode");
        }

        @Override
        public void marshal(TpmWriter out) {
            algorithm.marshal(out);
            out.u16(keyBits);
            mode.marshal(out);
        }
    }

    /** XOR obfuscation with a hash-based KDF; only in TPMT_SYM_DEF (session parameter encryption). */
    record Xor(TpmAlg hash) implements TpmtSymDefObject {
        public Xor {
            AlgSets.require(hash, AlgSets.HASHES, "a hash algorithm");
        }

        @Override
        public TpmAlg algorithm() {
            return TpmAlg.XOR;
        }

        @Override
        public void marshal(TpmWriter out) {
            TpmAlg.XOR.marshal(out);
            hash.marshal(out);
        }
    }

    /** AES with a key of {@code keyBits} in CFB mode. */
    static TpmtSymDefObject aesCfb(int keyBits) {
        return new Cipher(TpmAlg.AES, keyBits, TpmAlg.CFB);
    }

    /** Reads a TPMT_SYM_DEF_OBJECT (no XOR). */
    static TpmtSymDefObject read(TpmReader in) {
        return in.struct("TPMT_SYM_DEF_OBJECT", r -> readBody(r, false));
    }

    /** Reads a TPMT_SYM_DEF (XOR allowed), as a session's symmetric definition. */
    static TpmtSymDefObject readSymDef(TpmReader in) {
        return in.struct("TPMT_SYM_DEF", r -> readBody(r, true));
    }

    private static TpmtSymDefObject readBody(TpmReader r, boolean xorAllowed) {
        TpmAlg alg = xorAllowed ? AlgSets.readOneOf(r, AlgSets.SYM, "a TPMI_ALG_SYM")
                : AlgSets.readOneOf(r, AlgSets.SYM_OBJECT, "a TPMI_ALG_SYM_OBJECT");
        return switch (alg) {
            case NULL -> NULL;
            case XOR -> new Xor(AlgSets.readHash(r));
            default -> new Cipher(alg, r.u16(), AlgSets.readOneOf(r, AlgSets.SYM_MODES, "a block cipher mode"));
        };
    }
}
