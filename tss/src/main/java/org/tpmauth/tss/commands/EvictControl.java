package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_EvictControl: with a transient objectHandle, makes a persistent copy at persistentHandle;
 * with a persistent objectHandle (and persistentHandle equal to it), removes it. {@code auth} is
 * TPM_RH_OWNER or TPM_RH_PLATFORM and needs authorization.
 */
public record EvictControl(int auth, int objectHandle, int persistentHandle) implements TpmCommand<NoResponse> {
    /** Removes the persistent object at {@code persistentHandle}. */
    public static EvictControl evict(int auth, int persistentHandle) {
        return new EvictControl(auth, persistentHandle, persistentHandle);
    }

    @Override
    public int commandCode() {
        return TpmCc.EvictControl;
    }

    @Override
    public List<Integer> handles() {
        return List.of(auth, objectHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.u32(persistentHandle);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
