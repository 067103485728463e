package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMT_TK_HASHCHECK as TPM2_Hash and TPM2_SequenceComplete return it: kept as its marshalled bytes
 * (what TPM2_Sign takes back) and its fields. Internal until the ticket types are shared.
 */
record HashcheckTicket(byte[] marshalled, int hierarchy, byte[] digest) {
    static HashcheckTicket read(TpmReader in) {
        return in.struct("TPMT_TK_HASHCHECK", r -> {
            int start = r.position();
            int tag = r.u16();
            if (tag != TpmSt.HASHCHECK) {
                throw new TpmFormatException("TPMT_TK_HASHCHECK", start,
                        String.format("tag 0x%04x is not TPM_ST_HASHCHECK", tag));
            }
            int hierarchy = r.u32();
            byte[] digest = r.sized(Tpm2bLimits.DIGEST);
            // the layout is fixed, so writing the fields again gives back the bytes just read
            byte[] marshalled = TpmWriter.marshal(w -> w.u16(tag).u32(hierarchy).sized(digest));
            return new HashcheckTicket(marshalled, hierarchy, digest);
        });
    }
}
