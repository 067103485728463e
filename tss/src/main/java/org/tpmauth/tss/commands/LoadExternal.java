package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_LoadExternal of a public key alone (inPrivate, a TPM2B_SENSITIVE, is empty), e.g. to verify
 * a signature with TPM2_VerifySignature. {@code hierarchy} is usually TPM_RH_NULL.
 */
public record LoadExternal(TpmtPublic inPublic, int hierarchy) implements TpmCommand<LoadExternal.Response> {
    @Override
    public int commandCode() {
        return TpmCc.LoadExternal;
    }

    @Override
    public int responseHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.u16(0);
        inPublic.marshalSized(out);
        out.u32(hierarchy);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(handles[0], in.sized(Tpm2bLimits.NAME));
    }

    /** The loaded object's transient handle and Name. */
    public record Response(int objectHandle, byte[] name) {
    }
}
