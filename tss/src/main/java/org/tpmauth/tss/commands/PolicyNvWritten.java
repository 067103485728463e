package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PolicyNvWritten: the policy holds only for an NV index whose TPMA_NV_WRITTEN equals
 * {@code writtenSet}; checked when the session authorizes a command on the index.
 */
public record PolicyNvWritten(int policySession, boolean writtenSet) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.PolicyNvWritten;
    }

    @Override
    public List<Integer> handles() {
        return List.of(policySession);
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.u8(writtenSet ? 1 : 0);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
