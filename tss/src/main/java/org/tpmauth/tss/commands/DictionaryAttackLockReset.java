package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;

/**
 * TPM2_DictionaryAttackLockReset: sets the failed-authorization counter back to zero;
 * {@code lockHandle} is TPM_RH_LOCKOUT (authorized).
 */
public record DictionaryAttackLockReset(int lockHandle) implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.DictionaryAttackLockReset;
    }

    @Override
    public List<Integer> handles() {
        return List.of(lockHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
