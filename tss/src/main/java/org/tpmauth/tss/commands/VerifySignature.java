package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_VerifySignature: checks a signature over a digest with a loaded public key; fails with
 * TPM_RC_SIGNATURE when it does not verify. No authorization.
 */
public record VerifySignature(int keyHandle, byte[] digest, TpmtSignature signature)
        implements TpmCommand<VerifySignature.Response> {
    @Override
    public int commandCode() {
        return TpmCc.VerifySignature;
    }

    @Override
    public List<Integer> handles() {
        return List.of(keyHandle);
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(digest);
        signature.marshal(out);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(TpmtTicket.read(in, TpmSt.VERIFIED));
    }

    /** The TPMT_TK_VERIFIED ticket (a NULL ticket for keys in the NULL hierarchy). */
    public record Response(TpmtTicket validation) {
    }
}
