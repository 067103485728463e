package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_TestParms: asks whether the TPM supports these algorithm parameters (a TPMT_PUBLIC_PARMS);
 * an unsupported combination fails with TPM_RC_CURVE, TPM_RC_KEY_SIZE, TPM_RC_SCHEME and the like.
 */
public record TestParms(TpmuPublicParms parameters) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.TestParms;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        parameters.marshalWithType(out);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
