package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMS_TAGGED_PROPERTY: one TPM_PT property and its value. */
public record TpmsTaggedProperty(int property, int value) implements TpmMarshallable {
    @Override
    public void marshal(TpmWriter out) {
        out.u32(property).u32(value);
    }

    public static TpmsTaggedProperty read(TpmReader in) {
        return in.struct("TPMS_TAGGED_PROPERTY", r -> new TpmsTaggedProperty(r.u32(), r.u32()));
    }

    @Override
    public String toString() {
        return String.format("%s=0x%08x", TpmPt.nameOf(property), value);
    }
}
