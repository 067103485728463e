package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPM2_PolicyCommandCode: the policy authorizes only the command {@code code} (a TPM_CC). */
public record PolicyCommandCode(int policySession, int code) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.PolicyCommandCode;
    }

    @Override
    public List<Integer> handles() {
        return List.of(policySession);
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.u32(code);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }

    @Override
    public String toString() {
        return String.format("PolicyCommandCode[policySession=0x%08x, code=%s]", policySession, TpmCc.nameOf(code));
    }
}
