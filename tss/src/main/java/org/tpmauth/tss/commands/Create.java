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
 * TPM2_Create: creates an ordinary object under a loaded storage parent (which needs
 * authorization) and returns it wrapped by the parent, to be loaded with {@link Load}.
 */
public record Create(int parentHandle, TpmsSensitiveCreate inSensitive, TpmtPublic inPublic, byte[] outsideInfo,
        List<TpmsPcrSelection> creationPcr) implements TpmCommand<Create.Response> {
    public Create {
        creationPcr = List.copyOf(creationPcr);
    }

    /** An object without outside info or creation PCRs. */
    public Create(int parentHandle, TpmsSensitiveCreate inSensitive, TpmtPublic inPublic) {
        this(parentHandle, inSensitive, inPublic, new byte[0], List.of());
    }

    @Override
    public int commandCode() {
        return TpmCc.Create;
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
    public void marshalParameters(TpmWriter out) {
        CreationInputs.marshal(out, inSensitive, inPublic, outsideInfo, creationPcr);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.PRIVATE), TpmtPublic.readSized(in), TpmsCreationData.readSized(in),
                in.sized(Tpm2bLimits.DIGEST), TpmtTicket.read(in, TpmSt.CREATION));
    }

    /** outPrivate is the TPM2B_PRIVATE blob (without its size), encrypted under the parent. */
    public record Response(byte[] outPrivate, TpmtPublic outPublic, TpmsCreationData creationData,
            byte[] creationHash, TpmtTicket creationTicket) {
        @Override
        public String toString() {
            return "Create.Response[outPrivate=" + Hidden.of(outPrivate) + ", outPublic=" + outPublic
                    + ", creationData=" + creationData + ", creationTicket=" + creationTicket + "]";
        }
    }
}
