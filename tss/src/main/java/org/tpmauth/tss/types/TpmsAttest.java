package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMS_ATTEST: what a TPM signs in TPM2_Quote, TPM2_Certify and the other attestation commands.
 * Commands return it as the bytes of a TPM2B_ATTEST, which is what the signature covers; read them
 * with {@link #fromBytes}. The magic must be TPM_GENERATED_VALUE, which the TPM puts only into
 * structures it made itself.
 */
public record TpmsAttest(byte[] qualifiedSigner, byte[] extraData, TpmsClockInfo clockInfo, long firmwareVersion,
        TpmuAttest attested) implements TpmMarshallable {
    /** TPM_GENERATED_VALUE: "\xffTCG". */
    public static final int MAGIC = 0xff544347;

    /** The TPMI_ST_ATTEST type, which selects {@link #attested}. */
    public int type() {
        return attested.type();
    }

    @Override
    public void marshal(TpmWriter out) {
        out.u32(MAGIC).u16(attested.type()).sized(qualifiedSigner).sized(extraData);
        clockInfo.marshal(out);
        out.u64(firmwareVersion);
        attested.marshal(out);
    }

    public static TpmsAttest read(TpmReader in) {
        return in.struct("TPMS_ATTEST", r -> {
            int start = r.position();
            int magic = r.u32();
            if (magic != MAGIC) {
                throw new TpmFormatException("TPMS_ATTEST", start, String.format(
                        "magic 0x%08x is not TPM_GENERATED_VALUE 0x%08x: the TPM did not make this structure",
                        magic, MAGIC));
            }
            int typeOffset = r.position();
            int type = r.u16();
            byte[] signer = r.sized(Tpm2bLimits.NAME);
            byte[] extraData = r.sized(Tpm2bLimits.DATA);
            TpmsClockInfo clock = TpmsClockInfo.read(r);
            long firmware = r.u64();
            return new TpmsAttest(signer, extraData, clock, firmware, TpmuAttest.read(r, type, typeOffset));
        });
    }

    /** Reads the content of a TPM2B_ATTEST, which must hold exactly one TPMS_ATTEST. */
    public static TpmsAttest fromBytes(byte[] attestationData) {
        TpmReader in = new TpmReader(attestationData).enter("TPM2B_ATTEST");
        TpmsAttest attest = read(in);
        in.expectEnd();
        return attest;
    }
}
