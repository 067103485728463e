package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPM2_GetRandom: up to a digest's worth of random bytes from the TPM's RNG. */
public record GetRandom(int bytesRequested) implements TpmCommand<GetRandom.Response> {
    @Override
    public int commandCode() {
        return TpmCc.GetRandom;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.ENCRYPT;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.u16(bytesRequested);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(64));
    }

    /** randomBytes: TPM2B_DIGEST, possibly shorter than requested. */
    public record Response(byte[] randomBytes) {
    }
}
