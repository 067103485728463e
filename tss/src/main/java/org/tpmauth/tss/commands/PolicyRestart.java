package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;

/** TPM2_PolicyRestart: resets the policy session to its initial state (a zero policy digest). */
public record PolicyRestart(int sessionHandle) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.PolicyRestart;
    }

    @Override
    public List<Integer> handles() {
        return List.of(sessionHandle);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
