package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PolicyPCR: binds the policy to the values of the PCRs in {@code pcrs} (TPML_PCR_SELECTION).
 * {@code pcrDigest} is the hash of those values (empty: the TPM takes the current values).
 */
public record PolicyPCR(int policySession, byte[] pcrDigest, List<TpmsPcrSelection> pcrs)
        implements TpmCommand<NoResponse> {
    public PolicyPCR {
        pcrDigest = pcrDigest.clone();
        pcrs = List.copyOf(pcrs);
    }

    @Override
    public int commandCode() {
        return TpmCc.PolicyPCR;
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
        out.sized(pcrDigest);
        TpmsPcrSelection.writeList(out, pcrs);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
