package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_SequenceComplete: adds the last bytes to a hash or HMAC sequence, returns the result and
 * flushes the sequence object. For a hash sequence with a {@code hierarchy} other than TPM_RH_NULL
 * the TPM adds a TPMT_TK_HASHCHECK ticket, as {@link Hash} does.
 */
public record SequenceComplete(int sequenceHandle, byte[] buffer, int hierarchy)
        implements TpmCommand<SequenceComplete.Response> {
    @Override
    public int commandCode() {
        return TpmCc.SequenceComplete;
    }

    @Override
    public List<Integer> handles() {
        return List.of(sequenceHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(buffer).u32(hierarchy);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.DIGEST), TpmtTicket.read(in, TpmSt.HASHCHECK));
    }

    /** result, and the TPMT_TK_HASHCHECK {@code validation} as in {@link Hash.Response}. */
    public record Response(byte[] result, TpmtTicket validation) {
    }
}
