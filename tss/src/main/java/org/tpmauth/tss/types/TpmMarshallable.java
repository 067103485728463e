package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmWriter;

/** A TPM structure that can write itself in the TPM wire format. */
public interface TpmMarshallable {
    void marshal(TpmWriter out);

    /** This structure's bytes on its own. */
    default byte[] toBytes() {
        return TpmWriter.marshal(this::marshal);
    }
}
