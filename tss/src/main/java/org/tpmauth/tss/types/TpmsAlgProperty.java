package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMS_ALG_PROPERTY: an algorithm the TPM implements and its TPMA_ALGORITHM bits. The id stays a
 * number because TPMs also list algorithms this library does not know.
 */
public record TpmsAlgProperty(int alg, int algProperties) implements TpmMarshallable {
    @Override
    public void marshal(TpmWriter out) {
        out.u16(alg).u32(algProperties);
    }

    public static TpmsAlgProperty read(TpmReader in) {
        return in.struct("TPMS_ALG_PROPERTY", r -> new TpmsAlgProperty(r.u16(), r.u32()));
    }

    @Override
    public String toString() {
        return String.format("%s[0x%08x]", TpmAlg.nameOf(alg), algProperties);
    }
}
