package org.tpmauth.tss.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.commands.Startup;
import org.tpmauth.tss.types.TpmSu;

/** The swtpm test extension, registered with @ExtendWith and used through parameters. */
@ExtendWith(SwtpmExtension.class)
class SwtpmExtensionTest {
    @Test
    void parametersGiveTheExtensionAndItsSharedTpm(SwtpmExtension swtpm, Tpm tpm) {
        assertSame(swtpm.tpm(), tpm);
        assertEquals(16, tpm.execute(new GetRandom(16)).randomBytes().length);
        assertEquals("swtpm:host=127.0.0.1,port=" + swtpm.port(), swtpm.tcti());
        assertTrue(Files.isRegularFile(swtpm.stateDir().resolve("tpm2-00.permall")), "swtpm keeps its state there");
        assertTrue(Files.isDirectory(swtpm.workDir()));
    }

    @Test
    void killAndRestartKeepThePort(SwtpmExtension swtpm, Tpm tpm) {
        int port = swtpm.port();
        long pid = swtpm.pid();
        swtpm.kill();
        assertFalse(swtpm.isRunning());
        swtpm.restart();
        assertTrue(swtpm.isRunning());
        assertEquals(port, swtpm.port());
        assertNotEquals(pid, swtpm.pid());
        assertEquals(4, tpm.execute(new GetRandom(4)).randomBytes().length);
    }

    @Test
    void aPowerCycleLeavesTheTpmWaitingForStartup(SwtpmExtension swtpm, Tpm tpm) {
        tpm.execute(new GetRandom(1));
        swtpm.powerCycle();
        // Startup is what the TPM waits for; a second one would be refused with TPM_RC_INITIALIZE
        tpm.execute(new Startup(TpmSu.CLEAR));
        assertEquals(2, tpm.execute(new GetRandom(2)).randomBytes().length);
    }

    @Test
    void aSecondTpmTakesTheConnectionAndTheFirstGetsItBack(SwtpmExtension swtpm) {
        Tpm first = swtpm.openTpm();
        first.execute(new GetRandom(1));
        Tpm second = swtpm.openTpm(); // releases the first one's connection: swtpm serves one at a time
        assertEquals(2, second.execute(new GetRandom(2)).randomBytes().length);
        second.close();
        assertEquals(3, first.execute(new GetRandom(3)).randomBytes().length);
        first.close(); // lets the other tests' shared Tpm in
    }

    @Test
    void afterAllStopsSwtpmAndDeletesItsFiles() throws Exception {
        SwtpmExtension own = new SwtpmExtension();
        own.beforeAll(null);
        Path state = own.stateDir();
        Path work = own.workDir();
        long pid = own.pid();
        own.tpm().execute(new GetRandom(1));
        own.afterAll(null);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "swtpm is gone");
        assertFalse(Files.exists(state));
        assertFalse(Files.exists(work));
        IllegalStateException e = assertThrows(IllegalStateException.class, own::port);
        assertTrue(e.getMessage().startsWith("swtpm is not started: register SwtpmExtension on a static field"));
    }
}
