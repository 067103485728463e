package org.tpmauth.tss.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/**
 * SwtpmTcti on swtpm's UNIX sockets ({@code swtpm:path=P}, control socket {@code P.ctrl}): commands, the
 * control channel, tpm2-tools on the same config string, swtpm dying and coming back without any look
 * at the idle connection, and a peer that closes under a command.
 */
class SwtpmUnixTctiTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = SwtpmExtension.onUnixSockets();

    private static final byte[] GET_RANDOM_8 = {(byte) 0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x7b, 0, 8};

    @AfterEach
    void swtpmRunsForTheNextTest() {
        if (!SWTPM.isRunning()) {
            SWTPM.restart();
        }
    }

    private String where() {
        return "swtpm at " + SWTPM.socket();
    }

    @Test
    void commandsAndTheConfigString() {
        Tpm tpm = SWTPM.tpm();
        assertEquals(16, tpm.execute(new GetRandom(16)).randomBytes().length);
        assertEquals("swtpm:path=" + SWTPM.socket(), tpm.tcti().describe());
        assertEquals(new TctiConfig.SwtpmUnix(SWTPM.socket()), TctiConfig.parse(SWTPM.tcti()));
        SWTPM.disconnect(); // swtpm serves one connection at a time
        try (Tpm other = Tpm.open(SWTPM.tcti())) {
            assertEquals(32, other.execute(new GetRandom(32)).randomBytes().length);
        }
    }

    @Test
    void tpm2ToolsTakeTheSameConfigString() {
        SWTPM.disconnect();
        String hex = Tools.run(SWTPM, "tpm2_getrandom", "--hex", "8").trim();
        assertTrue(hex.matches("[0-9a-f]{16}"), hex);
    }

    @Test
    void controlChannel() {
        SwtpmTcti tcti = (SwtpmTcti) SWTPM.tpm().tcti();
        long caps = tcti.capabilities();
        assertEquals(1, caps & 1, "PTM_CAP_INIT " + Long.toHexString(caps));
        tcti.setLocality(0);
        tcti.init(); // CMD_INIT on P.ctrl, then TPM2_Startup on P
        assertEquals(8, SWTPM.tpm().execute(new GetRandom(8)).randomBytes().length);
    }

    @Test
    void swtpmRestartedWhileIdleIsInvisible() {
        // no look before sending on UNIX sockets: the write to the closed connection fails unsent
        SwtpmRestarts.restartedWhileIdleIsInvisible(SWTPM);
    }

    @Test
    void swtpmKilledBetweenCommandsThenRestarted() {
        // the write to the closed connection fails unsent: resent once, to a socket nobody listens on
        SwtpmRestarts.killedBetweenCommandsThenRestarted(SWTPM, where(),
                where() + " closed the connection during TPM2_GetRandom, and reconnecting failed: ");
    }

    @Test
    void swtpmKilledBeforeReadingTheCommand() throws Exception {
        SwtpmRestarts.killedBeforeReadingTheCommand(SWTPM, where());
    }

    @Test
    void aMissingSocketSaysSo(@TempDir Path dir) {
        Path socket = dir.resolve("no-swtpm");
        TpmTransportException e = assertThrows(TpmTransportException.class, () -> new SwtpmTcti(socket));
        assertEquals("cannot connect to swtpm at " + socket + ": there is no socket file " + socket + ": is it running? "
                + "Start it with: swtpm socket --tpm2 --tpmstate dir=STATE_DIR --server type=unixio,path=" + socket
                + " --ctrl type=unixio,path=" + socket + ".ctrl --flags not-need-init,startup-clear", e.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> TctiConfig.parse("swtpm:path=" + socket + ",port=2321"));
        assertTrue(both.getMessage().contains("needs either path=SOCKET (a UNIX socket) or host and port (TCP)"),
                both.getMessage());
    }

    @Test
    void aFileThatIsNoSocketIsNamed(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("plain"), "not a socket");
        TpmTransportException e = assertThrows(TpmTransportException.class, () -> new SwtpmTcti(file));
        assertTrue(e.getMessage().startsWith("cannot connect to swtpm at " + file + " ("), e.getMessage());
    }

    @Test
    void aCommandToAPeerThatClosedWhileIdleGoesToANewConnection(@TempDir Path dir) throws Exception {
        Semaphore closed = new Semaphore(0);
        try (UnixFake server = new UnixFake(dir.resolve("fake"), (n, s) -> {
            FakeTpmServer.readCommand(Channels.newInputStream(s));
            s.write(ByteBuffer.wrap(FakeTpmServer.randomResponse(n + 1)));
            s.close();
            closed.release();
        }); SwtpmTcti tcti = new SwtpmTcti(server.path)) {
            for (int n = 1; n <= 3; n++) {
                assertArrayEquals(FakeTpmServer.randomResponse(n), tcti.transmit(GET_RANDOM_8));
                assertTrue(closed.tryAcquire(5, TimeUnit.SECONDS));
                // at once, no idle time: the write fails with nothing sent, which alone proves non-delivery
            }
            assertEquals(3, server.connections.get());
        }
    }

    @Test
    void aPeerThatReadTheCommandAndClosedIsReportedNotResent(@TempDir Path dir) throws Exception {
        try (UnixFake server = new UnixFake(dir.resolve("fake"), (n, s) -> {
            FakeTpmServer.readCommand(Channels.newInputStream(s));
            s.write(ByteBuffer.wrap(FakeTpmServer.randomResponse(8)));
            FakeTpmServer.readCommand(Channels.newInputStream(s));
            s.close();
        }); SwtpmTcti tcti = new SwtpmTcti(server.path)) {
            tcti.transmit(GET_RANDOM_8);
            TpmTransportException e = assertThrows(TpmTransportException.class, () -> tcti.transmit(GET_RANDOM_8));
            assertTrue(e.getMessage().endsWith("The command may not have completed; the next command reconnects."),
                    e.getMessage());
            assertEquals(1, server.connections.get());
            assertArrayEquals(FakeTpmServer.randomResponse(8), tcti.transmit(GET_RANDOM_8), "the next one reconnects");
        }
    }

    /** A UNIX socket server (data socket and an idle control socket) handing each connection to a script. */
    private static final class UnixFake implements AutoCloseable {
        interface Script {
            void serve(int connection, SocketChannel channel) throws IOException;
        }

        final Path path;
        final AtomicInteger connections = new AtomicInteger();
        private final ServerSocketChannel data;
        private final ServerSocketChannel control;

        UnixFake(Path path, Script script) throws IOException {
            this.path = path;
            this.data = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
            this.control = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                    .bind(UnixDomainSocketAddress.of(SwtpmTcti.controlSocket(path)));
            Thread thread = new Thread(() -> {
                try {
                    while (true) {
                        SocketChannel s = data.accept();
                        try {
                            script.serve(connections.getAndIncrement(), s);
                        } catch (IOException e) {
                            s.close();
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "fake TPM on a UNIX socket");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            data.close();
            control.close();
        }
    }
}
