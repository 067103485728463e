package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMS_ACT_DATA: an authenticated countdown timer, its remaining timeout and TPMA_ACT bits. */
public record TpmsActData(int handle, int timeout, int attributes) implements TpmMarshallable {
    @Override
    public void marshal(TpmWriter out) {
        out.u32(handle).u32(timeout).u32(attributes);
    }

    public static TpmsActData read(TpmReader in) {
        return in.struct("TPMS_ACT_DATA", r -> new TpmsActData(r.u32(), r.u32(), r.u32()));
    }
}
