package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPM2_SelfTest: tests all functions ({@code fullTest}) or only those not yet tested. */
public record SelfTest(boolean fullTest) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.SelfTest;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.bool(fullTest);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
