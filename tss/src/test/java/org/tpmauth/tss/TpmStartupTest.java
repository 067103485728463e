package org.tpmauth.tss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.commands.Startup;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmSu;

/** A TPM that was power-cycled without TPM2_Startup is started by the facade, once. */
class TpmStartupTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @Test
    void startsATpmThatAnswersInitialize() throws Exception {
        SWTPM.disconnect();
        powerCycleWithoutStartup();
        try (Tpm tpm = SWTPM.openTpm()) {
            assertEquals(16, tpm.execute(new GetRandom(16)).randomBytes().length);
            // started exactly once: a second Startup is refused by the TPM itself
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> tpm.execute(new Startup(TpmSu.CLEAR)));
            assertEquals(TpmRc.INITIALIZE, e.baseCode());
            assertTrue(e.getMessage().contains("TPM_RC_INITIALIZE"), e.getMessage());
        }
    }

    /** swtpm's CMD_INIT through swtpm_ioctl: the TPM restarts and waits for TPM2_Startup. */
    private static void powerCycleWithoutStartup() throws Exception {
        Process p = new ProcessBuilder("swtpm_ioctl", "--tcp", "127.0.0.1:" + (SWTPM.port() + 1), "-i")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "swtpm_ioctl hung");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }
}
