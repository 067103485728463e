package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMT_KDF_SCHEME: a key derivation function (MGF1, KDF1_SP800_56A, KDF2, KDF1_SP800_108) and its
 * hash (TPMU_KDF_SCHEME, all TPMS_SCHEME_HASH), or TPM_ALG_NULL.
 */
public record TpmtKdfScheme(TpmAlg scheme, TpmAlg hash) implements TpmMarshallable {
    public static final TpmtKdfScheme NULL = new TpmtKdfScheme(TpmAlg.NULL, TpmAlg.NULL);

    public TpmtKdfScheme {
        if (scheme != TpmAlg.NULL) {
            AlgSets.require(scheme, AlgSets.KDFS, "a key derivation function");
            AlgSets.require(hash, AlgSets.HASHES, "a hash algorithm");
        } else if (hash != TpmAlg.NULL) {
            throw new IllegalArgumentException("the NULL KDF takes no hash");
        }
    }

    public static TpmtKdfScheme of(TpmAlg scheme, TpmAlg hash) {
        return new TpmtKdfScheme(scheme, hash);
    }

    @Override
    public void marshal(TpmWriter out) {
        scheme.marshal(out);
        if (scheme != TpmAlg.NULL) {
            hash.marshal(out);
        }
    }

    public static TpmtKdfScheme read(TpmReader in) {
        return in.struct("TPMT_KDF_SCHEME", r -> {
            TpmAlg scheme = AlgSets.readOneOf(r, AlgSets.KDFS_OR_NULL, "a key derivation function");
            return scheme == TpmAlg.NULL ? NULL : new TpmtKdfScheme(scheme, AlgSets.readHash(r));
        });
    }
}
