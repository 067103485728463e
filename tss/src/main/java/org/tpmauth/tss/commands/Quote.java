package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmsAttest;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_Quote: the signing key {@code signHandle} (authorized) signs a TPMS_ATTEST holding the digest
 * of the PCRs in {@code pcrSelect} and the caller's {@code qualifyingData} (a nonce, TPM2B_DATA).
 * {@code inScheme} is TPM_ALG_NULL to use the key's own scheme.
 */
public record Quote(int signHandle, byte[] qualifyingData, TpmtSigScheme inScheme, List<TpmsPcrSelection> pcrSelect)
        implements TpmCommand<Quote.Response> {
    public Quote {
        pcrSelect = List.copyOf(pcrSelect);
    }

    @Override
    public int commandCode() {
        return TpmCc.Quote;
    }

    @Override
    public List<Integer> handles() {
        return List.of(signHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(qualifyingData);
        inScheme.marshal(out);
        TpmsPcrSelection.writeList(out, pcrSelect);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        byte[] quoted = in.sized();
        return new Response(quoted, TpmsAttest.fromBytes(quoted), TpmtSignature.read(in));
    }

    /**
     * quoted: the bytes of the TPM2B_ATTEST, which the signature covers; attest: the same bytes
     * parsed (a {@link org.tpmauth.tss.types.TpmuAttest.Quote}).
     */
    public record Response(byte[] quoted, TpmsAttest attest, TpmtSignature signature) {
    }
}
