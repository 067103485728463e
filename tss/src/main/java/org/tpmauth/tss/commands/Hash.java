package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_Hash: hashes up to 1024 bytes (TPM2B_MAX_BUFFER) inside the TPM. With a {@code hierarchy}
 * other than TPM_RH_NULL, and data that does not start with TPM_GENERATED_VALUE, the TPM adds a
 * TPMT_TK_HASHCHECK ticket that lets a restricted key sign the digest.
 */
public record Hash(byte[] data, TpmAlg hashAlg, int hierarchy) implements TpmCommand<Hash.Response> {
    @Override
    public int commandCode() {
        return TpmCc.Hash;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(data);
        hashAlg.marshal(out);
        out.u32(hierarchy);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        byte[] outHash = in.sized(Tpm2bLimits.DIGEST);
        HashcheckTicket ticket = HashcheckTicket.read(in);
        return new Response(outHash, ticket.marshalled(), ticket.hierarchy(), ticket.digest());
    }

    /**
     * outHash, and the validation ticket: {@code validation} is the marshalled TPMT_TK_HASHCHECK,
     * followed by its hierarchy and digest (empty digest and TPM_RH_NULL when there is no ticket).
     */
    public record Response(byte[] outHash, byte[] validation, int validationHierarchy, byte[] validationDigest) {
    }
}
