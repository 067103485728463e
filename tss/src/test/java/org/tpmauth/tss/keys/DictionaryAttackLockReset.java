package org.tpmauth.tss.keys;

import java.util.List;
import org.tpmauth.tss.commands.NoResponse;
import org.tpmauth.tss.commands.TpmCommand;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.wire.TpmReader;

/**
 * TPM2_DictionaryAttackLockReset with the (empty) lockout authorization: sets the failed-tries
 * counter back to 0, so tests that try wrong passwords on keys without noDA never lock the test TPM
 * (swtpm allows 3 failures, then refuses every such key for 1000 s).
 */
record DictionaryAttackLockReset() implements TpmCommand<NoResponse> {
    @Override
    public int commandCode() {
        return TpmCc.DictionaryAttackLockReset;
    }

    @Override
    public List<Integer> handles() {
        return List.of(TpmHandles.RH_LOCKOUT);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader parameters) {
        return NoResponse.INSTANCE;
    }
}
