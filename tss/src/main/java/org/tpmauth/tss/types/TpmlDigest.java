package org.tpmauth.tss.types;

import java.util.List;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPML_DIGEST: up to eight TPM2B_DIGEST values (PCR values of TPM2_PCR_Read, PolicyOR branches). */
public final class TpmlDigest {
    /** The spec's bound on the count (the array holds eight digests). */
    public static final int MAX_COUNT = 8;

    private TpmlDigest() {
    }

    public static List<byte[]> read(TpmReader in) {
        return in.struct("TPML_DIGEST", r -> r.list(MAX_COUNT, d -> d.sized(Tpm2bLimits.DIGEST)));
    }

    public static void write(TpmWriter out, List<byte[]> digests) {
        if (digests.size() > MAX_COUNT) {
            throw new IllegalArgumentException("TPML_DIGEST holds at most " + MAX_COUNT + " digests");
        }
        out.list(digests, TpmWriter::sized);
    }
}
