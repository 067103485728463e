package org.tpmauth.tss.types;

import java.util.SortedSet;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMS_TAGGED_PCR_SELECT: a TPM_PT_PCR property and the PCRs that have it. */
public record TpmsTaggedPcrSelect(int tag, byte[] pcrSelect) implements TpmMarshallable {
    public TpmsTaggedPcrSelect {
        if (pcrSelect.length > PcrBitmap.MAX_SIZE) {
            throw new IllegalArgumentException("a PCR bitmap has at most " + PcrBitmap.MAX_SIZE + " bytes");
        }
    }

    /** The PCRs with this property, ascending. */
    public SortedSet<Integer> pcrs() {
        return PcrBitmap.indices(pcrSelect);
    }

    @Override
    public void marshal(TpmWriter out) {
        out.u32(tag).u8(pcrSelect.length).bytes(pcrSelect);
    }

    public static TpmsTaggedPcrSelect read(TpmReader in) {
        return in.struct("TPMS_TAGGED_PCR_SELECT", r -> {
            int tag = r.u32();
            int size = r.u8();
            if (size > PcrBitmap.MAX_SIZE) {
                throw r.error("sizeofSelect " + size + " is larger than any TPM's PCR count");
            }
            return new TpmsTaggedPcrSelect(tag, r.bytes(size));
        });
    }

    @Override
    public String toString() {
        return TpmPtPcr.nameOf(tag) + pcrs();
    }
}
