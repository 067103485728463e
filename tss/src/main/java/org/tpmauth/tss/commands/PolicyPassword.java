package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;

/** TPM2_PolicyPassword: the authorized entity's auth value must be sent in clear as the session HMAC. */
public record PolicyPassword(int policySession) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.PolicyPassword;
    }

    @Override
    public List<Integer> handles() {
        return List.of(policySession);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
