package org.tpmauth.tss.types;

import java.util.EnumSet;
import java.util.Set;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMT_KEYEDHASH_SCHEME: the scheme of a KEYEDHASH object. HMAC carries a hash (TPMS_SCHEME_HMAC),
 * XOR a hash and a KDF (TPMS_SCHEME_XOR); NULL (a sealed data object) nothing.
 */
public record TpmtKeyedHashScheme(TpmAlg scheme, TpmAlg hash, TpmAlg kdf) implements TpmMarshallable {
    private static final Set<TpmAlg> SCHEMES = EnumSet.of(TpmAlg.NULL, TpmAlg.HMAC, TpmAlg.XOR);
    public static final TpmtKeyedHashScheme NULL = new TpmtKeyedHashScheme(TpmAlg.NULL, TpmAlg.NULL, TpmAlg.NULL);

    public TpmtKeyedHashScheme {
        AlgSets.require(scheme, SCHEMES, "a keyed hash scheme");
        if (scheme == TpmAlg.NULL ? hash != TpmAlg.NULL : !AlgSets.HASHES.contains(hash)) {
            throw new IllegalArgumentException(hash + " is not a valid hash for " + scheme);
        }
        if (scheme != TpmAlg.XOR && kdf != TpmAlg.NULL) {
            throw new IllegalArgumentException(scheme + " takes no KDF");
        }
        if (scheme == TpmAlg.XOR) {
            AlgSets.require(kdf, AlgSets.KDFS, "a key derivation function");
        }
    }

    public static TpmtKeyedHashScheme hmac(TpmAlg hash) {
        return new TpmtKeyedHashScheme(TpmAlg.HMAC, hash, TpmAlg.NULL);
    }

    public static TpmtKeyedHashScheme xor(TpmAlg hash, TpmAlg kdf) {
        return new TpmtKeyedHashScheme(TpmAlg.XOR, hash, kdf);
    }

    @Override
    public void marshal(TpmWriter out) {
        scheme.marshal(out);
        if (scheme != TpmAlg.NULL) {
            hash.marshal(out);
        }
        if (scheme == TpmAlg.XOR) {
            kdf.marshal(out);
        }
    }

    public static TpmtKeyedHashScheme read(TpmReader in) {
        return in.struct("TPMT_KEYEDHASH_SCHEME", r -> {
            TpmAlg scheme = AlgSets.readOneOf(r, SCHEMES, "a keyed hash scheme");
            return switch (scheme) {
                case HMAC -> hmac(AlgSets.readHash(r));
                case XOR -> xor(AlgSets.readHash(r), AlgSets.readOneOf(r, AlgSets.KDFS, "a key derivation function"));
                default -> NULL;
            };
        });
    }
}
