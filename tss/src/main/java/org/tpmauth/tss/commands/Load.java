package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_Load: loads an object created under {@code parentHandle} (which needs authorization) from its
 * TPM2B_PRIVATE blob (inPrivate, without the size) and its public area.
 */
public record Load(int parentHandle, byte[] inPrivate, TpmtPublic inPublic) implements TpmCommand<Load.Response> {
    @Override
    public int commandCode() {
        return TpmCc.Load;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT | TpmaSession.ENCRYPT;
    }

    @Override
    public List<Integer> handles() {
        return List.of(parentHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public int responseHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(inPrivate);
        inPublic.marshalSized(out);
    }

    @Override
    public byte[] createdName(Response response) {
        return response.name();
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(handles[0], in.sized(Tpm2bLimits.NAME));
    }

    @Override
    public String toString() {
        return String.format("Load[parentHandle=0x%08x, inPrivate=%s, inPublic=%s]", parentHandle,
                Hidden.of(inPrivate), inPublic);
    }

    /** The loaded object's transient handle and Name. */
    public record Response(int objectHandle, byte[] name) {
    }
}
