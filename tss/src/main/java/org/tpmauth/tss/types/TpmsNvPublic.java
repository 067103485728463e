package org.tpmauth.tss.types;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMS_NV_PUBLIC: an NV index's handle, name algorithm, TPMA_NV attributes ({@link TpmaNv}),
 * authorization policy and data size. Travels inside TPM2B_NV_PUBLIC ({@link #readSized},
 * {@link #marshalSized}).
 */
public record TpmsNvPublic(int nvIndex, TpmAlg nameAlg, int attributes, byte[] authPolicy, int dataSize)
        implements TpmMarshallable {
    public TpmsNvPublic {
        if (!nameAlg.isHash()) {
            throw new IllegalArgumentException("nameAlg " + nameAlg + " is not a hash algorithm");
        }
        if (authPolicy.length > Tpm2bLimits.DIGEST) {
            throw new IllegalArgumentException("authPolicy has " + authPolicy.length + " bytes, at most "
                    + Tpm2bLimits.DIGEST + " fit");
        }
        if ((dataSize & ~0xffff) != 0) {
            throw new IllegalArgumentException("dataSize " + dataSize + " does not fit a UINT16");
        }
    }

    /** The index's Name: nameAlg || H_nameAlg(marshalled TPMS_NV_PUBLIC). Changes when WRITTEN gets set. */
    public byte[] name() {
        try {
            byte[] digest = MessageDigest.getInstance(nameAlg.jcaDigestName()).digest(toBytes());
            return TpmWriter.marshal(w -> w.u16(nameAlg.id()).bytes(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK cannot compute " + nameAlg + " for an NV name", e);
        }
    }

    @Override
    public void marshal(TpmWriter out) {
        out.u32(nvIndex);
        nameAlg.marshal(out);
        out.u32(attributes).sized(authPolicy).u16(dataSize);
    }

    /** Writes TPM2B_NV_PUBLIC. */
    public void marshalSized(TpmWriter out) {
        out.sizedStruct(this::marshal);
    }

    public static TpmsNvPublic read(TpmReader in) {
        return in.struct("TPMS_NV_PUBLIC", r -> {
            int index = r.u32();
            int algAt = r.position();
            TpmAlg nameAlg = TpmAlg.read(r);
            if (!nameAlg.isHash()) {
                throw new TpmFormatException("TPMS_NV_PUBLIC", algAt, "nameAlg " + nameAlg + " is not a hash algorithm");
            }
            return new TpmsNvPublic(index, nameAlg, r.u32(), r.sized(Tpm2bLimits.DIGEST), r.u16());
        });
    }

    /** Reads TPM2B_NV_PUBLIC. */
    public static TpmsNvPublic readSized(TpmReader in) {
        // struct() names the size field too, which sizedStruct reads before it enters the structure
        return in.struct("TPM2B_NV_PUBLIC", r -> r.sizedStruct("TPM2B_NV_PUBLIC", TpmsNvPublic::read));
    }

    @Override
    public String toString() {
        return String.format("TpmsNvPublic[index=0x%08x, nameAlg=%s, attributes=0x%08x, authPolicy=%d bytes, "
                + "dataSize=%d]", nvIndex, nameAlg, attributes, authPolicy.length, dataSize);
    }
}
