package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PolicyNV: the policy requires the contents of NV index {@code nvIndex} at {@code offset} to
 * compare with {@code operandB} by {@code operation} (TPM_EO, see {@link PolicyCounterTimer}).
 * {@code authHandle} (the index or its owner) is authorized with this command.
 */
public record PolicyNV(int authHandle, int nvIndex, int policySession, byte[] operandB, int offset, int operation)
        implements TpmCommand<NoResponse> {
    public PolicyNV {
        operandB = operandB.clone();
    }

    @Override
    public int commandCode() {
        return TpmCc.PolicyNV;
    }

    @Override
    public List<Integer> handles() {
        return List.of(authHandle, nvIndex, policySession);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(operandB).u16(offset).u16(operation);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
