package org.tpmauth.tss.types;

import java.util.List;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMS_CREATION_DATA: the state an object was created in (the PCRs selected at creation and their
 * digest, the locality, the parent's Name and qualified Name, the caller's outside info). Its
 * digest is the creationHash that TPM2_CertifyCreation attests. Wrapped in a size it is
 * TPM2B_CREATION_DATA. For a primary object parentNameAlg is TPM_ALG_NULL and parentName the
 * hierarchy handle.
 */
public record TpmsCreationData(List<TpmsPcrSelection> pcrSelect, byte[] pcrDigest, int locality,
        TpmAlg parentNameAlg, byte[] parentName, byte[] parentQualifiedName, byte[] outsideInfo)
        implements TpmMarshallable {
    public TpmsCreationData {
        pcrSelect = List.copyOf(pcrSelect);
    }

    @Override
    public void marshal(TpmWriter out) {
        TpmsPcrSelection.writeList(out, pcrSelect);
        out.sized(pcrDigest).u8(locality);
        parentNameAlg.marshal(out);
        out.sized(parentName).sized(parentQualifiedName).sized(outsideInfo);
    }

    /** TPM2B_CREATION_DATA. */
    public void marshalSized(TpmWriter out) {
        out.sizedStruct(this::marshal);
    }

    public static TpmsCreationData read(TpmReader in) {
        return in.struct("TPMS_CREATION_DATA", r -> new TpmsCreationData(TpmsPcrSelection.readList(r),
                r.sized(Tpm2bLimits.DIGEST), r.u8(), TpmAlg.read(r), r.sized(Tpm2bLimits.NAME),
                r.sized(Tpm2bLimits.NAME), r.sized(Tpm2bLimits.DATA)));
    }

    /** TPM2B_CREATION_DATA. */
    public static TpmsCreationData readSized(TpmReader in) {
        return in.sizedStruct("TPM2B_CREATION_DATA", TpmsCreationData::read);
    }
}
