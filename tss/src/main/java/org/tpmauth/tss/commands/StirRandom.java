package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPM2_StirRandom: adds entropy (TPM2B_SENSITIVE_DATA, at most 128 bytes) to the TPM's RNG state. */
public record StirRandom(byte[] inData) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.StirRandom;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(inData);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }

    @Override
    public String toString() {
        return "StirRandom[inData=" + inData.length + " bytes, hidden]";
    }
}
