package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PolicyAuthorize: replaces the session's digest, when it equals {@code approvedPolicy}, by the
 * authorized-policy digest of the key named {@code keySign}; {@code checkTicket} (TPMT_TK_VERIFIED
 * from TPM2_VerifySignature) proves that key signed H(approvedPolicy || policyRef).
 */
public record PolicyAuthorize(int policySession, byte[] approvedPolicy, byte[] policyRef, byte[] keySign,
        TpmtTicket checkTicket) implements TpmCommand<NoResponse> {
    public PolicyAuthorize {
        approvedPolicy = approvedPolicy.clone();
        policyRef = policyRef.clone();
        keySign = keySign.clone();
    }

    @Override
    public int commandCode() {
        return TpmCc.PolicyAuthorize;
    }

    @Override
    public List<Integer> handles() {
        return List.of(policySession);
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(approvedPolicy).sized(policyRef).sized(keySign);
        checkTicket.marshal(out);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
