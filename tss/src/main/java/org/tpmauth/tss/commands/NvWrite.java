package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_NV_Write: writes {@code data} (TPM2B_MAX_NV_BUFFER) into an ordinary NV index at
 * {@code offset}. {@code authHandle} is the index itself, TPM_RH_OWNER or TPM_RH_PLATFORM, as the
 * index's write attributes allow.
 */
public record NvWrite(int authHandle, int nvIndex, byte[] data, int offset) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.NV_Write;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT;
    }

    @Override
    public boolean carriesSecret() {
        return true;
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
    public void marshalParameters(TpmWriter out) {
        out.sized(data).u16(offset);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }

    @Override
    public String toString() {
        return String.format("NvWrite[authHandle=0x%08x, nvIndex=0x%08x, data=%d bytes, hidden, offset=%d]",
                authHandle, nvIndex, data.length, offset);
    }
}
