package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmsContext;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPM2_ContextLoad: loads a context saved by {@link ContextSave}; an object gets a new handle. */
public record ContextLoad(TpmsContext context) implements TpmCommand<ContextLoad.Response> {
    @Override
    public int commandCode() {
        return TpmCc.ContextLoad;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        context.marshal(out);
    }

    @Override
    public int responseHandleCount() {
        return 1;
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(handles[0]);
    }

    public record Response(int loadedHandle) {
    }
}
