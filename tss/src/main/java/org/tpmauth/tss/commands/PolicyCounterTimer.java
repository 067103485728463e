package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PolicyCounterTimer: the policy requires the TPMS_TIME_INFO bytes at {@code offset} to compare
 * with {@code operandB} by {@code operation} (TPM_EO).
 */
public record PolicyCounterTimer(int policySession, byte[] operandB, int offset, int operation)
        implements TpmCommand<NoResponse> {
    /** TPM_EO: the comparisons of TPM2_PolicyNV and TPM2_PolicyCounterTimer. */
    public static final int EO_EQ = 0x0000;
    public static final int EO_NEQ = 0x0001;
    public static final int EO_SIGNED_GT = 0x0002;
    public static final int EO_UNSIGNED_GT = 0x0003;
    public static final int EO_SIGNED_LT = 0x0004;
    public static final int EO_UNSIGNED_LT = 0x0005;
    public static final int EO_SIGNED_GE = 0x0006;
    public static final int EO_UNSIGNED_GE = 0x0007;
    public static final int EO_SIGNED_LE = 0x0008;
    public static final int EO_UNSIGNED_LE = 0x0009;
    public static final int EO_BITSET = 0x000A;
    public static final int EO_BITCLEAR = 0x000B;

    public PolicyCounterTimer {
        operandB = operandB.clone();
    }

    @Override
    public int commandCode() {
        return TpmCc.PolicyCounterTimer;
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
        out.sized(operandB).u16(offset).u16(operation);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
