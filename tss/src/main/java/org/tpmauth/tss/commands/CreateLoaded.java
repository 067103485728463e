package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_CreateLoaded: creates an object and loads it in one step. The parent (a storage key, or a
 * hierarchy for a primary object) needs authorization; inPublic travels as a TPM2B_TEMPLATE, which
 * holds a marshalled TPMT_PUBLIC.
 */
public record CreateLoaded(int parentHandle, TpmsSensitiveCreate inSensitive, TpmtPublic inPublic)
        implements TpmCommand<CreateLoaded.Response> {
    @Override
    public int commandCode() {
        return TpmCc.CreateLoaded;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT | TpmaSession.ENCRYPT;
    }

    @Override
    public boolean carriesSecret() {
        return inSensitive.hasSecrets();
    }

    @Override
    public List<Integer> handles() {
        return List.of(parentHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public int responseHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        inSensitive.marshalSized(out);
        inPublic.marshalSized(out);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(handles[0], in.sized(Tpm2bLimits.PRIVATE), TpmtPublic.readSized(in),
                in.sized(Tpm2bLimits.NAME));
    }

    /** outPrivate is the wrapped TPM2B_PRIVATE blob (empty for a primary object). */
    public record Response(int objectHandle, byte[] outPrivate, TpmtPublic outPublic, byte[] name) {
        @Override
        public String toString() {
            return String.format("CreateLoaded.Response[objectHandle=0x%08x, outPrivate=%s, outPublic=%s]",
                    objectHandle, Hidden.of(outPrivate), outPublic);
        }
    }
}
