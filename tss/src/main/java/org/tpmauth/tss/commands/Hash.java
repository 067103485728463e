package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtTicket;
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

    /** data (TPM2B_MAX_BUFFER) in, outHash (TPM2B_DIGEST) out. */
    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT | TpmaSession.ENCRYPT;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(data);
        hashAlg.marshal(out);
        out.u32(hierarchy);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.DIGEST), TpmtTicket.read(in, TpmSt.HASHCHECK));
    }

    /**
     * outHash, and the TPMT_TK_HASHCHECK {@code validation} to give {@link Sign} with a restricted key
     * (a NULL ticket when the TPM gave none).
     */
    public record Response(byte[] outHash, TpmtTicket validation) {
    }
}
