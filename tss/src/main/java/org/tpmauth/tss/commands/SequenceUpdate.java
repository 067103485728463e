package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** TPM2_SequenceUpdate: adds up to 1024 bytes (TPM2B_MAX_BUFFER) to a hash or HMAC sequence. */
public record SequenceUpdate(int sequenceHandle, byte[] buffer) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.SequenceUpdate;
    }

    @Override
    public List<Integer> handles() {
        return List.of(sequenceHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(buffer);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
