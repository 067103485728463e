package org.tpmauth.tss.types;

import java.util.SortedSet;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMS_TAGGED_PCR_SELECT: a TPM_PT_PCR property and the PCRs that have it. */
public record TpmsTaggedPcrSelect(int tag, byte[] pcrSelect) implements TpmMarshallable {
    public TpmsTaggedPcrSelect {
        PcrBitmap.checkSize(pcrSelect.length);
    }

    /** The PCRs with this property, ascending. */
    public SortedSet<Integer> pcrs() {
        return PcrBitmap.indices(pcrSelect);
    }

    @Override
    public void marshal(TpmWriter out) {
        out.u32(tag);
        PcrBitmap.write(out, pcrSelect);
    }

    public static TpmsTaggedPcrSelect read(TpmReader in) {
        return in.struct("TPMS_TAGGED_PCR_SELECT", r -> new TpmsTaggedPcrSelect(r.u32(), PcrBitmap.read(r)));
    }

    @Override
    public String toString() {
        return TpmPtPcr.nameOf(tag) + pcrs();
    }
}
