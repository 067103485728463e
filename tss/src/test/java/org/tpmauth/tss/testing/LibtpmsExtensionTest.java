package org.tpmauth.tss.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.GetRandom;

/** The shared in-process TPM. */
@ExtendWith(LibtpmsExtension.class)
class LibtpmsExtensionTest {
    @Test
    void theParameterIsTheSharedTpm(Tpm tpm) {
        assertSame(LibtpmsExtension.tpm(), tpm);
        assertEquals(16, tpm.execute(new GetRandom(16)).randomBytes().length);
        assertTrue(Files.isRegularFile(LibtpmsExtension.stateDir().resolve("permall.bin")));
        assertEquals("libtpms:" + LibtpmsExtension.stateDir(), tpm.tcti().describe());
    }

    @Test
    void closingItDoesNothing() {
        Tpm tpm = LibtpmsExtension.tpm();
        tpm.close();
        assertEquals(4, tpm.execute(new GetRandom(4)).randomBytes().length);
    }

    @Test
    void afterAReleaseItOpensAgain() {
        Tpm tpm = LibtpmsExtension.tpm();
        tpm.execute(new GetRandom(1));
        LibtpmsExtension.release();
        assertEquals(8, tpm.execute(new GetRandom(8)).randomBytes().length);
    }
}
