package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.wire.TpmReader;

/** TPM2_NV_ReadPublic: an NV index's public area and Name; needs no authorization. */
public record NvReadPublic(int nvIndex) implements TpmCommand<NvReadPublic.Response> {
    @Override
    public int commandCode() {
        return TpmCc.NV_ReadPublic;
    }

    @Override
    public List<Integer> handles() {
        return List.of(nvIndex);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(TpmsNvPublic.readSized(in), in.sized(Tpm2bLimits.NAME));
    }

    /** nvName is the TPM's own computation of {@code nvPublic.name()}. */
    public record Response(TpmsNvPublic nvPublic, byte[] nvName) {
    }
}
