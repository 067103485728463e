package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PolicySecret: the policy requires the authorization of {@code authHandle} (given with this
 * command, which authorizes it). {@code nonceTPM}, {@code cpHashA}, {@code policyRef} and
 * {@code expiration} (INT32 seconds; negative asks for a ticket) as in Part 3.
 */
public record PolicySecret(int authHandle, int policySession, byte[] nonceTPM, byte[] cpHashA, byte[] policyRef,
        int expiration) implements TpmCommand<PolicyTicketResponse> {
    public PolicySecret {
        nonceTPM = nonceTPM.clone();
        cpHashA = cpHashA.clone();
        policyRef = policyRef.clone();
    }

    @Override
    public int commandCode() {
        return TpmCc.PolicySecret;
    }

    @Override
    public List<Integer> handles() {
        return List.of(authHandle, policySession);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT | TpmaSession.ENCRYPT;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(nonceTPM).sized(cpHashA).sized(policyRef).u32(expiration);
    }

    @Override
    public PolicyTicketResponse readResponse(int[] handles, TpmReader in) {
        return PolicyTicketResponse.read(in, TpmSt.AUTH_SECRET);
    }
}
