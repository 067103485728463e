package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmReader;

/** TPM2_ReadPublic: the public area, Name and qualified Name of a loaded object. No authorization. */
public record ReadPublic(int objectHandle) implements TpmCommand<ReadPublic.Response> {
    @Override
    public int commandCode() {
        return TpmCc.ReadPublic;
    }

    @Override
    public List<Integer> handles() {
        return List.of(objectHandle);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(TpmtPublic.readSized(in), in.sized(Tpm2bLimits.NAME), in.sized(Tpm2bLimits.NAME));
    }

    /** The object's public area as the TPM reports it, its Name and its qualified Name. */
    public record Response(TpmtPublic outPublic, byte[] name, byte[] qualifiedName) {
    }
}
