package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_NV_Read: {@code size} bytes of NV index {@code nvIndex} from {@code offset}. {@code authHandle}
 * is the index itself, TPM_RH_OWNER or TPM_RH_PLATFORM, as the index's read attributes allow; reads
 * longer than TPM_PT_NV_BUFFER_MAX must be split.
 */
public record NvRead(int authHandle, int nvIndex, int size, int offset) implements TpmCommand<NvRead.Response> {
    @Override
    public int commandCode() {
        return TpmCc.NV_Read;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.ENCRYPT;
    }

    @Override
    public boolean carriesSecret() {
        return true;
    }

    @Override
    public List<Integer> handles() {
        return List.of(authHandle, nvIndex);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.u16(size).u16(offset);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.MAX_NV_BUFFER));
    }

    /** data: TPM2B_MAX_NV_BUFFER; may be secret, so toString leaves it out. */
    public record Response(byte[] data) {
        @Override
        public String toString() {
            return "NvRead.Response[data=" + data.length + " bytes, hidden]";
        }
    }
}
