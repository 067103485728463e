package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmWriter;

/** The parameters TPM2_Create and TPM2_CreatePrimary share. */
final class CreationInputs {
    private CreationInputs() {
    }

    /** inSensitive, inPublic, outsideInfo (TPM2B_DATA), creationPCR (TPML_PCR_SELECTION). */
    static void marshal(TpmWriter out, TpmsSensitiveCreate inSensitive, TpmtPublic inPublic, byte[] outsideInfo,
            List<TpmsPcrSelection> creationPcr) {
        inSensitive.marshalSized(out);
        inPublic.marshalSized(out);
        out.sized(outsideInfo);
        TpmsPcrSelection.writeList(out, creationPcr);
    }
}
