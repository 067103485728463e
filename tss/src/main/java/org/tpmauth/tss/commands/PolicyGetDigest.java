package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmReader;

/** TPM2_PolicyGetDigest: the current policy digest of a policy or trial session. */
public record PolicyGetDigest(int policySession) implements TpmCommand<PolicyGetDigest.Response> {
    @Override
    public int commandCode() {
        return TpmCc.PolicyGetDigest;
    }

    @Override
    public List<Integer> handles() {
        return List.of(policySession);
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.ENCRYPT;
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.DIGEST));
    }

    /** The policy digest (TPM2B_DIGEST). */
    public record Response(byte[] policyDigest) {
    }
}
