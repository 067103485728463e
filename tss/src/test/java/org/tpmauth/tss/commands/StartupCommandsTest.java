package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.types.TpmSu;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmsNvPublic;

/** Startup, Shutdown, SelfTest, StirRandom, Clear and DictionaryAttackLockReset on swtpm. */
class StartupCommandsTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private final Tpm tpm = SWTPM.tpm();

    @BeforeEach
    void powerOnWithoutStartup() {
        SWTPM.powerCycle();
    }

    @Test
    void startupClearThenCommandsWork() {
        // raw bytes: the facade would start the TPM by itself
        byte[] getRandom = {(byte) 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 8};
        byte[] before = tpm.tcti().transmit(getRandom);
        assertEquals(TpmRc.INITIALIZE, java.nio.ByteBuffer.wrap(before, 6, 4).getInt());
        tpm.execute(new Startup(TpmSu.CLEAR));
        assertEquals(8, tpm.execute(new GetRandom(8)).randomBytes().length);
        TpmResponseException twice = assertThrows(TpmResponseException.class,
                () -> tpm.execute(new Startup(TpmSu.CLEAR)));
        assertEquals(TpmRc.INITIALIZE, twice.responseCode());
    }

    @Test
    void shutdownStateThenResume() {
        tpm.execute(new Startup(TpmSu.CLEAR));
        int restartsBefore = restartCount();
        tpm.execute(new Shutdown(TpmSu.STATE));
        SWTPM.powerCycle();
        tpm.execute(new Startup(TpmSu.STATE));
        // TPM Resume counts one more restart
        assertEquals(restartsBefore + 1, restartCount());
    }

    private static int restartCount() {
        String clock = Tools.run(SWTPM, "tpm2_readclock");
        return Integer.parseInt(clock.replaceAll("(?s).*restart_count: (\\d+).*", "$1").strip());
    }

    @Test
    void selfTestAndStirRandom() {
        tpm.execute(new Startup(TpmSu.CLEAR));
        tpm.execute(new SelfTest(true));
        tpm.execute(new SelfTest(false));
        tpm.execute(new StirRandom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        TpmResponseException tooMuch = assertThrows(TpmResponseException.class,
                () -> tpm.execute(new StirRandom(new byte[129])));
        assertTrue(tooMuch.responseCode() != 0);
    }

    @Test
    void dictionaryAttackLockResetClearsTheCounter() {
        tpm.execute(new Startup(TpmSu.CLEAR));
        int index = 0x01500002;
        TpmsNvPublic nv = new TpmsNvPublic(index, TpmAlg.SHA256, TpmaNv.AUTHWRITE | TpmaNv.AUTHREAD, new byte[0], 8);
        tpm.execute(new NvDefineSpace(TpmHandles.RH_OWNER, "right".getBytes(), nv));
        try {
            // a wrong password for an index without NO_DA counts as a dictionary-attack failure
            TpmResponseException e = assertThrows(TpmResponseException.class, () -> tpm.execute(
                    new NvRead(index, index, 8, 0), PasswordSession.of("wrong".getBytes())));
            assertEquals(0x08E, e.baseCode()); // TPM_RC_AUTH_FAIL
            assertEquals(1, Capabilities.property(tpm, TpmPt.LOCKOUT_COUNTER).orElseThrow());
            tpm.execute(new DictionaryAttackLockReset(TpmHandles.RH_LOCKOUT));
            assertEquals(0, Capabilities.property(tpm, TpmPt.LOCKOUT_COUNTER).orElseThrow());
        } finally {
            tpm.execute(new NvUndefineSpace(TpmHandles.RH_OWNER, index));
        }
    }

    @Test
    void clearRemovesOwnerObjectsAndAuthorization() {
        tpm.execute(new Startup(TpmSu.CLEAR));
        Tools.run(SWTPM, "tpm2_nvdefine", "0x01500003", "-C", "o", "-s", "8");
        Tools.run(SWTPM, "tpm2_changeauth", "-c", "o", "owner-password");
        assertTrue((Capabilities.property(tpm, TpmPt.PERMANENT).orElseThrow() & TpmPt.PERMANENT_OWNER_AUTH_SET) != 0);
        tpm.execute(new Clear(TpmHandles.RH_LOCKOUT));
        assertEquals(0, Capabilities.property(tpm, TpmPt.PERMANENT).orElseThrow() & TpmPt.PERMANENT_OWNER_AUTH_SET);
        assertTrue(Capabilities.handles(tpm, TpmHandles.HT_NV_INDEX).stream().noneMatch(h -> h == 0x01500003));
        tpm.execute(new Clear(TpmHandles.RH_PLATFORM));
    }
}
