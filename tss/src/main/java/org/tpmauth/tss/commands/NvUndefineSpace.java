package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;

/**
 * TPM2_NV_UndefineSpace: deletes NV index {@code nvIndex}; {@code authHandle} (TPM_RH_OWNER or
 * TPM_RH_PLATFORM) is authorized, the index is not.
 */
public record NvUndefineSpace(int authHandle, int nvIndex) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.NV_UndefineSpace;
    }

    @Override
    public List<Integer> handles() {
        return List.of(authHandle, nvIndex);
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
