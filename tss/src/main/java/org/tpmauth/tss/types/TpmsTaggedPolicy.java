package org.tpmauth.tss.types;

import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMS_TAGGED_POLICY: a permanent handle and the authorization policy set for it. */
public record TpmsTaggedPolicy(int handle, TpmtHa policyHash) implements TpmMarshallable {
    @Override
    public void marshal(TpmWriter out) {
        out.u32(handle);
        policyHash.marshal(out);
    }

    public static TpmsTaggedPolicy read(TpmReader in) {
        return in.struct("TPMS_TAGGED_POLICY", r -> new TpmsTaggedPolicy(r.u32(), TpmtHa.read(r)));
    }
}
