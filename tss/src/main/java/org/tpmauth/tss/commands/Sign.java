package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_Sign: signs a digest with a loaded signing key, which needs authorization. inScheme NULL uses
 * the key's own scheme. A restricted key signs only digests the TPM computed, proven by a
 * TPMT_TK_HASHCHECK {@code validation}; other keys take {@link TpmtTicket#nullHashcheck()}.
 */
public record Sign(int keyHandle, byte[] digest, TpmtSigScheme inScheme, TpmtTicket validation)
        implements TpmCommand<Sign.Response> {
    /** Signs with an unrestricted key (NULL hashcheck ticket). */
    public Sign(int keyHandle, byte[] digest, TpmtSigScheme inScheme) {
        this(keyHandle, digest, inScheme, TpmtTicket.nullHashcheck());
    }

    @Override
    public int commandCode() {
        return TpmCc.Sign;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT;
    }

    @Override
    public List<Integer> handles() {
        return List.of(keyHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(digest);
        inScheme.marshal(out);
        validation.marshal(out);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(TpmtSignature.read(in));
    }

    public record Response(TpmtSignature signature) {
    }
}
