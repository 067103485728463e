package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmsAttest;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_Certify: the key {@code signHandle} signs a statement that the object {@code objectHandle} is
 * loaded in this TPM. Both handles are authorized: the object in the ADMIN role, the signing key in
 * the USER role.
 */
public record Certify(int objectHandle, int signHandle, byte[] qualifyingData, TpmtSigScheme inScheme)
        implements TpmCommand<Certify.Response> {
    @Override
    public int commandCode() {
        return TpmCc.Certify;
    }

    @Override
    public List<Integer> handles() {
        return List.of(objectHandle, signHandle);
    }

    @Override
    public int authHandleCount() {
        return 2;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(qualifyingData);
        inScheme.marshal(out);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        byte[] certifyInfo = in.sized();
        return new Response(certifyInfo, TpmsAttest.fromBytes(certifyInfo), TpmtSignature.read(in));
    }

    /**
     * certifyInfo: the bytes of the TPM2B_ATTEST, which the signature covers; attest: the same bytes
     * parsed (a {@link org.tpmauth.tss.types.TpmuAttest.Certify}).
     */
    public record Response(byte[] certifyInfo, TpmsAttest attest, TpmtSignature signature) {
    }
}
