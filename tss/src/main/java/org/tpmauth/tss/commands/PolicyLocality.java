package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PolicyLocality: the policy holds only for commands sent at one of the localities in
 * {@code locality} (TPMA_LOCALITY: bit n for locality n, n &lt; 5); the command that uses the session
 * fails with TPM_RC_LOCALITY otherwise.
 */
public record PolicyLocality(int policySession, int locality) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.PolicyLocality;
    }

    @Override
    public List<Integer> handles() {
        return List.of(policySession);
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.u8(locality);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
