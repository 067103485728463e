package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmsCreationData;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_CreatePrimary: derives a primary object from a hierarchy's seed and the template
 * {@code inPublic} (the same template gives the same key), and loads it. primaryHandle
 * (TPM_RH_OWNER, ENDORSEMENT, PLATFORM or NULL) needs authorization.
 */
public record CreatePrimary(int primaryHandle, TpmsSensitiveCreate inSensitive, TpmtPublic inPublic,
        byte[] outsideInfo, List<TpmsPcrSelection> creationPcr) implements TpmCommand<CreatePrimary.Response> {
    public CreatePrimary {
        creationPcr = List.copyOf(creationPcr);
    }

    /** A primary without auth value, outside info or creation PCRs. */
    public CreatePrimary(int primaryHandle, TpmtPublic inPublic) {
        this(primaryHandle, TpmsSensitiveCreate.EMPTY, inPublic, new byte[0], List.of());
    }

    @Override
    public int commandCode() {
        return TpmCc.CreatePrimary;
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
        return List.of(primaryHandle);
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
        CreationInputs.marshal(out, inSensitive, inPublic, outsideInfo, creationPcr);
    }

    @Override
    public byte[] createdName(Response response) {
        return response.name();
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(handles[0], TpmtPublic.readSized(in), TpmsCreationData.readSized(in),
                in.sized(Tpm2bLimits.DIGEST), TpmtTicket.read(in, TpmSt.CREATION), in.sized(Tpm2bLimits.NAME));
    }

    /** The loaded primary's transient handle, its public area and Name, and its creation evidence. */
    public record Response(int objectHandle, TpmtPublic outPublic, TpmsCreationData creationData,
            byte[] creationHash, TpmtTicket creationTicket, byte[] name) {
    }
}
