package org.tpmauth.tss.types;

import java.util.Objects;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMS_CONTEXT: a saved object or session (TPM2_ContextSave), to be given back to TPM2_ContextLoad.
 * The contextBlob (TPM2B_CONTEXT_DATA) is encrypted and integrity-protected by the TPM.
 * savedHandle is a session's own handle, but 0x80000000 for an object (0x80000002 for an stClear
 * object): the object gets a new handle when it is loaded again.
 */
public record TpmsContext(long sequence, int savedHandle, int hierarchy, byte[] contextBlob)
        implements TpmMarshallable {
    public TpmsContext {
        Objects.requireNonNull(contextBlob, "contextBlob");
    }

    @Override
    public void marshal(TpmWriter out) {
        out.u64(sequence).u32(savedHandle).u32(hierarchy).sized(contextBlob);
    }

    public static TpmsContext read(TpmReader in) {
        return in.struct("TPMS_CONTEXT", r -> new TpmsContext(r.u64(), r.u32(), r.u32(),
                r.sized(Tpm2bLimits.CONTEXT_DATA)));
    }

    @Override
    public String toString() {
        return String.format("TpmsContext[sequence=%d, savedHandle=0x%08x, hierarchy=0x%08x, contextBlob=%d bytes]",
                sequence, savedHandle, hierarchy, contextBlob.length);
    }
}
