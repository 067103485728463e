package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
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
        byte[] result = in.sized(Tpm2bLimits.DIGEST);
        HashcheckTicket ticket = HashcheckTicket.read(in);
        return new Response(result, ticket.marshalled(), ticket.hierarchy(), ticket.digest());
    }

    /** result, and the validation ticket laid out as in {@link Hash.Response}. */
    public record Response(byte[] result, byte[] validation, int validationHierarchy, byte[] validationDigest) {
    }
}
