package org.tpmauth.tss.types;

import java.util.HexFormat;
import java.util.List;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMT_HA: a hash algorithm and a digest of exactly its size (none for TPM_ALG_NULL). A list of them
 * is TPML_DIGEST_VALUES, the input of TPM2_PCR_Extend.
 */
public record TpmtHa(TpmAlg hashAlg, byte[] digest) implements TpmMarshallable {
    /** TPML_DIGEST_VALUES holds at most one digest per implemented hash (HASH_COUNT). */
    public static final int MAX_DIGEST_VALUES = 16;

    public TpmtHa {
        if (hashAlg != TpmAlg.NULL && !hashAlg.isHash()) {
            throw new IllegalArgumentException(hashAlg + " is not a hash algorithm");
        }
        if (digest.length != hashAlg.digestSize()) {
            throw new IllegalArgumentException("a " + hashAlg + " digest has " + hashAlg.digestSize()
                    + " bytes, not " + digest.length);
        }
    }

    @Override
    public void marshal(TpmWriter out) {
        hashAlg.marshal(out);
        out.bytes(digest);
    }

    public static TpmtHa read(TpmReader in) {
        return in.struct("TPMT_HA", r -> {
            int start = r.position();
            TpmAlg alg = TpmAlg.read(r);
            if (alg != TpmAlg.NULL && !alg.isHash()) {
                throw new TpmFormatException("TPMT_HA", start, alg + " is not a hash algorithm");
            }
            return new TpmtHa(alg, r.bytes(alg.digestSize()));
        });
    }

    /** TPML_DIGEST_VALUES. */
    public static List<TpmtHa> readList(TpmReader in) {
        return in.struct("TPML_DIGEST_VALUES", r -> r.list(MAX_DIGEST_VALUES, TpmtHa::read));
    }

    /** Writes TPML_DIGEST_VALUES. */
    public static void writeList(TpmWriter out, List<TpmtHa> digests) {
        out.list(digests, (w, d) -> d.marshal(w));
    }

    @Override
    public String toString() {
        return hashAlg.name().toLowerCase() + ":" + HexFormat.of().formatHex(digest);
    }
}
