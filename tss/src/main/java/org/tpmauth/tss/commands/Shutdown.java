package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_Shutdown: prepares the TPM for a power loss. {@code shutdownType} is a TPM_SU value
 * ({@link org.tpmauth.tss.types.TpmSu}); STATE saves what a later Startup(STATE) resumes.
 */
public record Shutdown(int shutdownType) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.Shutdown;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.u16(shutdownType);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
