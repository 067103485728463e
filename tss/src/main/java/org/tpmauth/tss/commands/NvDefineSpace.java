package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_NV_DefineSpace: creates an NV index. {@code authHandle} is TPM_RH_OWNER or TPM_RH_PLATFORM
 * (authorized); {@code auth} is the index's new authorization value (TPM2B_AUTH).
 */
public record NvDefineSpace(int authHandle, byte[] auth, TpmsNvPublic publicInfo) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.NV_DefineSpace;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT;
    }

    @Override
    public boolean carriesSecret() {
        return auth.length > 0;
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
    public void marshalParameters(TpmWriter out) {
        out.sized(auth);
        publicInfo.marshalSized(out);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }

    @Override
    public String toString() {
        return String.format("NvDefineSpace[authHandle=0x%08x, auth=%s, publicInfo=%s]", authHandle,
                auth.length == 0 ? "empty" : "hidden", publicInfo);
    }
}
