package org.tpmauth.tss.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.testing.SwtpmExtension;

/** SwtpmTcti against a real swtpm: commands, the control channel, swtpm dying and coming back. */
class SwtpmTctiTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    private static final long PTM_CAP_INIT = 1;
    private static final long PTM_CAP_SHUTDOWN = 1 << 1;
    private static final long PTM_CAP_SET_LOCALITY = 1 << 3;
    private static final long PTM_CAP_CANCEL_TPM_CMD = 1 << 5;

    @AfterEach
    void swtpmRunsForTheNextTest() {
        if (!SWTPM.isRunning()) {
            SWTPM.restart();
        }
    }

    private static SwtpmTcti tcti(Tpm tpm) {
        return (SwtpmTcti) tpm.tcti();
    }

    private String where() {
        return "swtpm at 127.0.0.1:" + SWTPM.port();
    }

    @Test
    void getRandom() {
        Tpm tpm = SWTPM.tpm();
        byte[] random = tpm.execute(new GetRandom(16)).randomBytes();
        assertEquals(16, random.length);
        assertEquals("swtpm:host=127.0.0.1,port=" + SWTPM.port(), tpm.tcti().describe());
        assertEquals(SWTPM.tcti(), tpm.tcti().describe());
    }

    @Test
    void openedFromItsConfigString() {
        SWTPM.disconnect(); // swtpm serves one connection at a time
        try (Tpm tpm = Tpm.open(SWTPM.tcti())) {
            assertEquals(32, tpm.execute(new GetRandom(32)).randomBytes().length);
        }
    }

    @Test
    void controlChannelCapabilitiesListTheCommandsUsed() {
        long caps = tcti(SWTPM.tpm()).capabilities();
        long needed = PTM_CAP_INIT | PTM_CAP_SHUTDOWN | PTM_CAP_SET_LOCALITY | PTM_CAP_CANCEL_TPM_CMD;
        assertEquals(needed, caps & needed, Long.toHexString(caps));
    }

    @Test
    void controlInitPowerCyclesAndInitStartsTheTpmAgain() {
        Tpm tpm = SWTPM.tpm();
        tpm.execute(new GetRandom(1));
        // CMD_INIT alone: the TPM then waits for TPM2_Startup
        new SwtpmControl("127.0.0.1", SWTPM.port() + 1, Duration.ofSeconds(10)).init();
        byte[] getRandom = {(byte) 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 1};
        assertEquals(0x100, TpmFrames.responseCode(tcti(tpm).transmit(getRandom)), "TPM_RC_INITIALIZE");
        tcti(tpm).init();
        assertEquals(8, tpm.execute(new GetRandom(8)).randomBytes().length);
    }

    @Test
    void localityRoundTrip() {
        SwtpmTcti tcti = tcti(SWTPM.tpm());
        tcti.setLocality(3);
        tcti.setLocality(0);
        assertThrows(IllegalArgumentException.class, () -> tcti.setLocality(5));
        assertEquals(4, SWTPM.tpm().execute(new GetRandom(4)).randomBytes().length);
    }

    @Test
    void cancelRoundTrip() {
        // swtpm's socket server runs a command inside its main loop and reads the control channel only
        // between commands, so there is nothing to interrupt here: the request must simply succeed
        Tpm tpm = SWTPM.tpm();
        tpm.tcti().cancel();
        assertEquals(4, tpm.execute(new GetRandom(4)).randomBytes().length);
    }

    @Test
    void swtpmKilledBetweenCommandsThenRestarted() {
        // the look at the idle connection finds it closed: the command goes to a new one, which is refused
        SwtpmRestarts.killedBetweenCommandsThenRestarted(SWTPM, where(), "cannot connect to " + where() + " (");
    }

    @Test
    void stateSurvivesARestart() {
        Tpm tpm = SWTPM.tpm();
        int index = 0x01500002;
        TestCommands.defineNv(tpm, index);
        byte[] nvName = TestCommands.nvName(tpm, index);
        SWTPM.restart();
        assertArrayEquals(nvName, TestCommands.nvName(tpm, index));
    }

    @Test
    void swtpmRestartedWhileIdleIsInvisible() {
        SwtpmRestarts.restartedWhileIdleIsInvisible(SWTPM);
    }

    @Test
    void swtpmKilledBeforeReadingTheCommand() throws Exception {
        SwtpmRestarts.killedBeforeReadingTheCommand(SWTPM, where());
    }

    @Test
    void swtpmKilledWhileRunningTheCommand() throws Exception {
        Tpm tpm = SWTPM.tpm();
        for (int attempt = 0; attempt < 5; attempt++) {
            tpm.execute(new GetRandom(1));
            CompletableFuture<Integer> create = CompletableFuture.supplyAsync(
                    () -> TestCommands.createRsaPrimary(tpm));
            Thread.sleep(20);
            SWTPM.kill();
            try {
                create.get(10, TimeUnit.SECONDS);
                SWTPM.restart(); // key generation was quicker than the kill: again
                continue;
            } catch (ExecutionException e) {
                TpmTransportException t = assertInstanceOf(TpmTransportException.class, e.getCause());
                if (t.getMessage().startsWith("cannot connect to " + where())
                        || t.getMessage().contains(", and reconnecting failed: cannot connect")) {
                    // on a busy machine the kill came before the command was sent, or before swtpm read
                    // it (a reset: resent, to a dead swtpm): again
                    SWTPM.restart();
                    continue;
                }
                assertTrue(t.getMessage().startsWith(where() + " closed the connection during TPM2_CreatePrimary ("),
                        t.getMessage());
                assertTrue(t.getMessage().endsWith("is swtpm still running? The command may not have completed; "
                        + "the next command reconnects."), t.getMessage());
            }
            SWTPM.restart();
            assertEquals(8, tpm.execute(new GetRandom(8)).randomBytes().length);
            return;
        }
        throw new AssertionError("in 5 attempts the kill never fell inside a key generation");
    }

    @Test
    void shutdownEndsSwtpm() throws Exception {
        SwtpmTcti tcti = tcti(SWTPM.tpm());
        tcti.shutdown();
        for (int i = 0; i < 500 && SWTPM.isRunning(); i++) {
            Thread.sleep(10);
        }
        assertFalse(SWTPM.isRunning());
    }

    @Test
    void nothingListeningGivesTheStartCommand() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        int closedPort = port;
        TpmTransportException e = assertThrows(TpmTransportException.class,
                () -> new SwtpmTcti("127.0.0.1", closedPort));
        assertEquals("cannot connect to swtpm at 127.0.0.1:" + port + " (Connection refused): is it running? Start it "
                + "with: swtpm socket --tpm2 --tpmstate dir=STATE_DIR --server type=tcp,port=" + port
                + ",bindaddr=127.0.0.1 --ctrl type=tcp,port=" + (port + 1)
                + ",bindaddr=127.0.0.1 --flags not-need-init,startup-clear", e.getMessage());
    }

    @Test
    void controlChannelUnreachable() throws IOException {
        try (FakeTpmServer data = new FakeTpmServer((n, s) -> { })) {
            SwtpmTcti tcti = new SwtpmTcti("127.0.0.1", data.port());
            TpmTransportException e = assertThrows(TpmTransportException.class, tcti::cancel);
            assertTrue(e.getMessage().startsWith("cannot connect to swtpm's control channel at 127.0.0.1:"
                    + (data.port() + 1)), e.getMessage());
            tcti.close();
        }
    }
}
