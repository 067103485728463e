package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_Import of a duplicate without an inner wrapper (encryptionKey empty, symmetricAlg NULL) under
 * {@code parentHandle} (authorized): the object's new private blob, to be loaded with TPM2_Load.
 */
public record Import(int parentHandle, TpmtPublic objectPublic, byte[] duplicate, byte[] inSymSeed)
        implements TpmCommand<Import.Response> {
    public Import {
        duplicate = duplicate.clone();
        inSymSeed = inSymSeed.clone();
    }

    @Override
    public int commandCode() {
        return TpmCc.Import;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.ENCRYPT;
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
    public void marshalParameters(TpmWriter out) {
        out.sized(new byte[0]);
        objectPublic.marshalSized(out);
        out.sized(duplicate).sized(inSymSeed);
        TpmtSymDefObject.NULL.marshal(out);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.PRIVATE));
    }

    @Override
    public String toString() {
        return String.format("Import[parentHandle=0x%08x, objectPublic=%s, duplicate=%s]", parentHandle, objectPublic,
                Hidden.of(duplicate));
    }

    /** The TPM2B_PRIVATE for TPM2_Load (without its size). */
    public record Response(byte[] outPrivate) {
        @Override
        public String toString() {
            return "Import.Response[outPrivate=" + Hidden.of(outPrivate) + "]";
        }
    }
}
