package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_Startup: the first command after TPM_Init. {@code startupType} is a TPM_SU value
 * ({@link org.tpmauth.tss.types.TpmSu}): CLEAR for a TPM Reset, STATE to resume after an orderly
 * Shutdown(STATE).
 */
public record Startup(int startupType) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.Startup;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.u16(startupType);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
