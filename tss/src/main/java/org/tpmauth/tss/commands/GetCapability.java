package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmsCapabilityData;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_GetCapability: up to {@code propertyCount} entries of one TPM_CAP group
 * ({@link org.tpmauth.tss.types.TpmCap}), starting at {@code property}. {@link Capabilities} reads a
 * whole group across as many calls as it takes.
 */
public record GetCapability(int capability, int property, int propertyCount)
        implements TpmCommand<GetCapability.Response> {
    @Override
    public int commandCode() {
        return TpmCc.GetCapability;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.u32(capability).u32(property).u32(propertyCount);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.bool(), TpmsCapabilityData.read(in));
    }

    /** moreData: whether entries beyond the returned ones exist. */
    public record Response(boolean moreData, TpmsCapabilityData capabilityData) {
    }
}
