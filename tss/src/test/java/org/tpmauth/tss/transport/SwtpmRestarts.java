package org.tpmauth.tss.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.testing.SwtpmExtension;

/** swtpm dying and coming back under the class's shared Tpm: the same expectations on every transport. */
final class SwtpmRestarts {
    private SwtpmRestarts() {
    }

    /** Restarted between two commands: the second one works on a new connection, twice in a row. */
    static void restartedWhileIdleIsInvisible(SwtpmExtension swtpm) {
        Tpm tpm = swtpm.tpm();
        tpm.execute(new GetRandom(8));
        for (int i = 0; i < 2; i++) {
            swtpm.restart();
            assertEquals(8, tpm.execute(new GetRandom(8)).randomBytes().length);
        }
    }

    /**
     * Killed between commands: the next one fails with a message that starts with {@code messageStart} and
     * names swtpm's start command; after a restart the same Tpm works.
     */
    static void killedBetweenCommandsThenRestarted(SwtpmExtension swtpm, String where, String messageStart) {
        Tpm tpm = swtpm.tpm();
        tpm.execute(new GetRandom(8));
        swtpm.kill();
        TpmTransportException e = assertThrows(TpmTransportException.class, () -> tpm.execute(new GetRandom(8)));
        assertTrue(e.getMessage().startsWith(messageStart), e.getMessage());
        assertTrue(e.getMessage().contains("cannot connect to " + where + " (Connection refused): is it running? "
                + "Start it with: swtpm socket --tpm2"), e.getMessage());
        swtpm.restart();
        assertEquals(8, tpm.execute(new GetRandom(8)).randomBytes().length, "the same Tpm reconnects");
    }

    /**
     * Stopped (SIGSTOP) with a command sent, then killed: the command never reached swtpm (a reset), so it
     * is resent once, which fails on the dead swtpm; after a restart the same Tpm works.
     */
    static void killedBeforeReadingTheCommand(SwtpmExtension swtpm, String where) throws Exception {
        Tpm tpm = swtpm.tpm();
        tpm.execute(new GetRandom(8));
        signal("STOP", swtpm.pid());
        CompletableFuture<byte[]> pending = CompletableFuture.supplyAsync(
                () -> tpm.execute(new GetRandom(8)).randomBytes());
        Thread.sleep(300);
        assertFalse(pending.isDone(), "a stopped swtpm answers nothing");
        swtpm.kill();
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
        TpmTransportException t = assertInstanceOf(TpmTransportException.class, e.getCause());
        assertTrue(t.getMessage().startsWith(where + " closed the connection during TPM2_GetRandom"), t.getMessage());
        swtpm.restart();
        assertEquals(8, tpm.execute(new GetRandom(8)).randomBytes().length);
    }

    static void signal(String signal, long pid) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
    }
}
