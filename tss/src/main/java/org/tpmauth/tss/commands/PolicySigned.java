package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PolicySigned: the policy requires a signature {@code auth} (TPMT_SIGNATURE) by the loaded key
 * {@code authObject} over H(nonceTPM || expiration || cpHashA || policyRef). No authorization.
 */
public record PolicySigned(int authObject, int policySession, byte[] nonceTPM, byte[] cpHashA, byte[] policyRef,
        int expiration, TpmtSignature auth) implements TpmCommand<PolicyTicketResponse> {
    public PolicySigned {
        nonceTPM = nonceTPM.clone();
        cpHashA = cpHashA.clone();
        policyRef = policyRef.clone();
    }

    @Override
    public int commandCode() {
        return TpmCc.PolicySigned;
    }

    @Override
    public List<Integer> handles() {
        return List.of(authObject, policySession);
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT | TpmaSession.ENCRYPT;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(nonceTPM).sized(cpHashA).sized(policyRef).u32(expiration);
        auth.marshal(out);
    }

    @Override
    public PolicyTicketResponse readResponse(int[] handles, TpmReader in) {
        return PolicyTicketResponse.read(in, TpmSt.AUTH_SIGNED);
    }
}
