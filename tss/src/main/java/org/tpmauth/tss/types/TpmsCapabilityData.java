package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMS_CAPABILITY_DATA: a TPM_CAP selector and the TPMU_CAPABILITIES member it selects. */
public record TpmsCapabilityData(TpmuCapabilities data) implements TpmMarshallable {
    /** The TPM_CAP selector. */
    public int capability() {
        return data.capability();
    }

    @Override
    public void marshal(TpmWriter out) {
        out.u32(data.capability());
        data.marshal(out);
    }

    public static TpmsCapabilityData read(TpmReader in) {
        return in.struct("TPMS_CAPABILITY_DATA", r -> new TpmsCapabilityData(TpmuCapabilities.read(r, r.u32())));
    }
}
