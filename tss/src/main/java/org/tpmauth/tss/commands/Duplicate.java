package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_Duplicate without an inner wrapper (symmetricAlg NULL): {@code objectHandle} (authorized by a
 * policy session, ADMIN role) wrapped for the new parent {@code newParentHandle} (a loaded public
 * key, no authorization). The response's duplicate and seed go to TPM2_Import under that parent.
 */
public record Duplicate(int objectHandle, int newParentHandle) implements TpmCommand<Duplicate.Response> {
    @Override
    public int commandCode() {
        return TpmCc.Duplicate;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.ENCRYPT;
    }

    @Override
    public List<Integer> handles() {
        return List.of(objectHandle, newParentHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(new byte[0]);
        TpmtSymDefObject.NULL.marshal(out);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        in.sized(Tpm2bLimits.DATA);
        return new Response(in.sized(Tpm2bLimits.PRIVATE), in.sized(Tpm2bLimits.ENCRYPTED_SECRET));
    }

    /** TPM2B_PRIVATE duplicate and TPM2B_ENCRYPTED_SECRET outSymSeed, each without its size. */
    public record Response(byte[] duplicate, byte[] outSymSeed) {
        @Override
        public String toString() {
            return "Duplicate.Response[duplicate=" + Hidden.of(duplicate) + ", outSymSeed=" + outSymSeed.length
                    + " bytes]";
        }
    }
}
