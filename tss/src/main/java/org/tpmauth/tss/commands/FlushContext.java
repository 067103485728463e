package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_FlushContext: removes a transient object or session from the TPM. The handle travels as a
 * parameter, not in the handle area.
 */
public record FlushContext(int flushHandle) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.FlushContext;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.u32(flushHandle);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
