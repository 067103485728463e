package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;

/**
 * TPM2_Clear: removes all Owner-hierarchy objects and NV indices and resets the owner, endorsement
 * and lockout authorizations. {@code authHandle} is TPM_RH_LOCKOUT or TPM_RH_PLATFORM (authorized).
 */
public record Clear(int authHandle) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.Clear;
    }

    @Override
    public List<Integer> handles() {
        return List.of(authHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
