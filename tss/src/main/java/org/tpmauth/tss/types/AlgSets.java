package org.tpmauth.tss.types;

import java.util.EnumSet;
import java.util.Set;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;

/** The TPMI_ALG_* interface types: an algorithm id that must come from a fixed set. */
final class AlgSets {
    private AlgSets() {
    }

    static final Set<TpmAlg> HASHES = EnumSet.of(TpmAlg.SHA1, TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512,
            TpmAlg.SM3_256, TpmAlg.SHA3_256, TpmAlg.SHA3_384, TpmAlg.SHA3_512);
    /** TPMI_ALG_HASH+, e.g. an object's nameAlg. */
    static final Set<TpmAlg> HASHES_OR_NULL = EnumSet.of(TpmAlg.NULL, TpmAlg.SHA1, TpmAlg.SHA256, TpmAlg.SHA384,
            TpmAlg.SHA512, TpmAlg.SM3_256, TpmAlg.SHA3_256, TpmAlg.SHA3_384, TpmAlg.SHA3_512);
    /** TPMI_ALG_KDF without TPM_ALG_NULL. */
    static final Set<TpmAlg> KDFS = EnumSet.of(TpmAlg.MGF1, TpmAlg.KDF1_SP800_56A, TpmAlg.KDF2,
            TpmAlg.KDF1_SP800_108);
    /** TPMI_ALG_KDF+. */
    static final Set<TpmAlg> KDFS_OR_NULL = EnumSet.of(TpmAlg.NULL, TpmAlg.MGF1, TpmAlg.KDF1_SP800_56A, TpmAlg.KDF2,
            TpmAlg.KDF1_SP800_108);

    /** The block ciphers of TPMI_ALG_SYM_OBJECT. */
    static final Set<TpmAlg> BLOCK_CIPHERS = EnumSet.of(TpmAlg.AES, TpmAlg.SM4, TpmAlg.CAMELLIA);
    /** TPMI_ALG_SYM_OBJECT+. */
    static final Set<TpmAlg> SYM_OBJECT = EnumSet.of(TpmAlg.NULL, TpmAlg.AES, TpmAlg.SM4, TpmAlg.CAMELLIA);
    /** TPMI_ALG_SYM+: the object ciphers and XOR. */
    static final Set<TpmAlg> SYM = EnumSet.of(TpmAlg.NULL, TpmAlg.AES, TpmAlg.SM4, TpmAlg.CAMELLIA, TpmAlg.XOR);
    /** TPMI_ALG_SYM_MODE+. */
    static final Set<TpmAlg> SYM_MODES = EnumSet.of(TpmAlg.NULL, TpmAlg.CTR, TpmAlg.OFB, TpmAlg.CBC, TpmAlg.CFB,
            TpmAlg.ECB, TpmAlg.CMAC);
    /** TPMI_ALG_PUBLIC: the object types. */
    static final Set<TpmAlg> PUBLIC_TYPES = EnumSet.of(TpmAlg.RSA, TpmAlg.KEYEDHASH, TpmAlg.ECC, TpmAlg.SYMCIPHER);

    /** Reads an algorithm id and fails unless it belongs to {@code allowed}. */
    static TpmAlg readOneOf(TpmReader in, Set<TpmAlg> allowed, String what) {
        int start = in.position();
        TpmAlg alg = TpmAlg.read(in);
        if (!allowed.contains(alg)) {
            throw new TpmFormatException(in.structure(), start, alg + " is not " + what);
        }
        return alg;
    }

    /** TPMI_ALG_HASH (no TPM_ALG_NULL). */
    static TpmAlg readHash(TpmReader in) {
        return readOneOf(in, HASHES, "a hash algorithm");
    }

    /** Argument check for constructors: the algorithm must belong to {@code allowed}. */
    static TpmAlg require(TpmAlg alg, Set<TpmAlg> allowed, String what) {
        if (!allowed.contains(alg)) {
            throw new IllegalArgumentException(alg + " is not " + what);
        }
        return alg;
    }
}
