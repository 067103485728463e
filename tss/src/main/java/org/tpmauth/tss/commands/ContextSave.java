package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmsContext;
import org.tpmauth.tss.wire.TpmReader;

/**
 * TPM2_ContextSave: saves a loaded object or session out of the TPM (an object stays loaded until
 * flushed; a session leaves). No authorization.
 */
public record ContextSave(int saveHandle) implements TpmCommand<ContextSave.Response> {
    @Override
    public int commandCode() {
        return TpmCc.ContextSave;
    }

    @Override
    public List<Integer> handles() {
        return List.of(saveHandle);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(TpmsContext.read(in));
    }

    public record Response(TpmsContext context) {
    }
}
