package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_ObjectChangeAuth: gives a loaded object a new auth value (TPM2B_AUTH). objectHandle needs
 * authorization (ADMIN role); the result is a new TPM2B_PRIVATE under parentHandle, to be loaded in
 * place of the old one.
 */
public record ObjectChangeAuth(int objectHandle, int parentHandle, byte[] newAuth)
        implements TpmCommand<ObjectChangeAuth.Response> {
    @Override
    public int commandCode() {
        return TpmCc.ObjectChangeAuth;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT | TpmaSession.ENCRYPT;
    }

    @Override
    public boolean carriesSecret() {
        return true;
    }

    @Override
    public List<Integer> handles() {
        return List.of(objectHandle, parentHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(newAuth);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.PRIVATE));
    }

    @Override
    public String toString() {
        return String.format("ObjectChangeAuth[objectHandle=0x%08x, parentHandle=0x%08x, newAuth=%s]", objectHandle,
                parentHandle, Hidden.of(newAuth));
    }

    /** The object's new TPM2B_PRIVATE blob (without its size); hidden from toString. */
    public record Response(byte[] outPrivate) {
        @Override
        public String toString() {
            return "ObjectChangeAuth.Response[outPrivate=" + Hidden.of(outPrivate) + "]";
        }
    }
}
