package org.tpmauth.tss.commands;

import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_HashSequenceStart: opens a hash sequence object for data of any length; {@code auth}
 * (TPM2B_AUTH) authorizes its later SequenceUpdate / SequenceComplete.
 */
public record HashSequenceStart(byte[] auth, TpmAlg hashAlg) implements TpmCommand<HashSequenceStart.Response> {
    @Override
    public int commandCode() {
        return TpmCc.HashSequenceStart;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(auth);
        hashAlg.marshal(out);
    }

    @Override
    public int responseHandleCount() {
        return 1;
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(handles[0]);
    }

    @Override
    public String toString() {
        return "HashSequenceStart[auth=" + (auth.length == 0 ? "empty" : "hidden") + ", hashAlg=" + hashAlg + "]";
    }

    /** The transient handle of the new sequence object. */
    public record Response(int sequenceHandle) {
    }
}
