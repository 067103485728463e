package org.tpmauth.tss.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.wire.TpmFormatException;

/** SwtpmTcti against a server that misbehaves on purpose: every failure is a TpmException with a cause. */
class SwtpmTctiFaultTest {
    private static final byte[] GET_RANDOM_8 = {(byte) 0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x7b, 0, 8};

    private static byte[] header(int tag, int size, int rc) {
        return ByteBuffer.allocate(10).putShort((short) tag).putInt(size).putInt(rc).array();
    }

    private static String transmitError(FakeTpmServer.Script script) throws IOException {
        try (FakeTpmServer server = new FakeTpmServer(script);
                SwtpmTcti tcti = new SwtpmTcti("127.0.0.1", server.port(), Duration.ofSeconds(2))) {
            return assertThrows(TpmTransportException.class, () -> tcti.transmit(GET_RANDOM_8)).getMessage();
        }
    }

    @Test
    void anOversizedResponseIsRefusedBeforeAnyAllocation() throws IOException {
        String m = transmitError((n, s) -> {
            FakeTpmServer.readCommand(s);
            FakeTpmServer.write(s, header(0x8001, 0x7fffffff, 0));
        });
        assertTrue(m.matches("swtpm at 127\\.0\\.0\\.1:\\d+ sent a response of 2147483647 bytes to TPM2_GetRandom, "
                + "but a TPM response has 10 to 65536 bytes: is that really a TPM .*"), m);
    }

    @Test
    void aNegativeOrTinySizeIsRefused() throws IOException {
        for (int size : new int[] {-1, 0, 9}) {
            String m = transmitError((n, s) -> {
                FakeTpmServer.readCommand(s);
                FakeTpmServer.write(s, header(0x8001, size, 0));
            });
            assertTrue(m.contains("sent a response of " + Integer.toUnsignedString(size) + " bytes"), m);
        }
    }

    @Test
    void aResponseCutShortIsReported() throws IOException {
        String m = transmitError((n, s) -> {
            FakeTpmServer.readCommand(s);
            FakeTpmServer.write(s, header(0x8001, 30, 0));
            s.close();
        });
        assertTrue(m.contains("closed the connection during TPM2_GetRandom"), m);
    }

    @Test
    void aServerClosingWithoutAnswerIsReported() throws IOException {
        String m = transmitError((n, s) -> {
            FakeTpmServer.readCommand(s);
            s.close();
        });
        assertTrue(m.endsWith("is swtpm still running? The command may not have completed; the next command "
                + "reconnects."), m);
    }

    @Test
    void aSilentServerTimesOut() throws IOException {
        String m = transmitError((n, s) -> FakeTpmServer.readCommand(s));
        assertTrue(m.contains("did not answer TPM2_GetRandom within 2 s"), m);
    }

    @Test
    void anIdleConnectionOutlivesTheTimeout() throws Exception {
        // the timeout covers a command's exchange only: the watchdog leaves an idle connection alone
        try (FakeTpmServer server = new FakeTpmServer((n, s) -> {
            for (int i = 1; i <= 2; i++) {
                FakeTpmServer.readCommand(s);
                FakeTpmServer.write(s, FakeTpmServer.randomResponse(i));
            }
        }); SwtpmTcti tcti = new SwtpmTcti("127.0.0.1", server.port(), Duration.ofMillis(100))) {
            assertArrayEquals(FakeTpmServer.randomResponse(1), tcti.transmit(GET_RANDOM_8));
            Thread.sleep(400);
            assertArrayEquals(FakeTpmServer.randomResponse(2), tcti.transmit(GET_RANDOM_8));
            assertEquals(1, server.connections());
        }
    }

    @Test
    void theConnectionAfterABadFrameIsFresh() throws Exception {
        try (FakeTpmServer server = new FakeTpmServer((n, s) -> {
            FakeTpmServer.readCommand(s);
            FakeTpmServer.write(s, n == 0 ? header(0x8001, 1 << 20, 0) : FakeTpmServer.randomResponse(8));
        }); SwtpmTcti tcti = new SwtpmTcti("127.0.0.1", server.port())) {
            assertThrows(TpmTransportException.class, () -> tcti.transmit(GET_RANDOM_8));
            assertArrayEquals(FakeTpmServer.randomResponse(8), tcti.transmit(GET_RANDOM_8));
            assertEquals(2, server.connections());
        }
    }

    @Test
    void aResetReusedConnectionIsResentOnce() throws Exception {
        // the first connection answers one command, then resets under the second: the peer never ran it
        try (FakeTpmServer server = new FakeTpmServer((n, s) -> {
            if (n == 0) {
                FakeTpmServer.readCommand(s);
                FakeTpmServer.write(s, FakeTpmServer.randomResponse(8));
                FakeTpmServer.readCommand(s);
                FakeTpmServer.reset(s);
            } else {
                FakeTpmServer.readCommand(s);
                FakeTpmServer.write(s, FakeTpmServer.randomResponse(4));
            }
        }); SwtpmTcti tcti = new SwtpmTcti("127.0.0.1", server.port())) {
            assertArrayEquals(FakeTpmServer.randomResponse(8), tcti.transmit(GET_RANDOM_8));
            assertArrayEquals(FakeTpmServer.randomResponse(4), tcti.transmit(GET_RANDOM_8));
            assertEquals(2, server.connections());
        }
    }

    @Test
    void aReusedConnectionClosedAfterTheCommandIsNotResent() throws Exception {
        // an orderly close after reading the command: the peer may have run it, so it is reported
        try (FakeTpmServer server = new FakeTpmServer((n, s) -> {
            FakeTpmServer.readCommand(s);
            FakeTpmServer.write(s, FakeTpmServer.randomResponse(8));
            FakeTpmServer.readCommand(s);
            s.close();
        }); SwtpmTcti tcti = new SwtpmTcti("127.0.0.1", server.port())) {
            tcti.transmit(GET_RANDOM_8);
            TpmTransportException e = assertThrows(TpmTransportException.class, () -> tcti.transmit(GET_RANDOM_8));
            assertTrue(e.getMessage().contains("closed the connection during TPM2_GetRandom"), e.getMessage());
            assertEquals(1, server.connections());
            assertArrayEquals(FakeTpmServer.randomResponse(8), tcti.transmit(GET_RANDOM_8), "the next one reconnects");
        }
    }

    @Test
    void anIdleConnectionThePeerClosedIsReplacedBeforeSending() throws Exception {
        Semaphore closed = new Semaphore(0);
        try (FakeTpmServer server = new FakeTpmServer((n, s) -> {
            FakeTpmServer.readCommand(s);
            FakeTpmServer.write(s, FakeTpmServer.randomResponse(n + 1));
            s.close();
            closed.release();
        }); SwtpmTcti tcti = new SwtpmTcti("127.0.0.1", server.port())) {
            for (int n = 1; n <= 3; n++) {
                assertArrayEquals(FakeTpmServer.randomResponse(n), tcti.transmit(GET_RANDOM_8));
                assertTrue(closed.tryAcquire(5, TimeUnit.SECONDS));
                // commands back to back skip the check; a restarted simulator has been idle longer
                TimeUnit.NANOSECONDS.sleep(2 * SocketLink.PROBE_AFTER_IDLE_NANOS);
            }
            assertEquals(3, server.connections());
        }
    }

    @Test
    void garbageResponsesOnlyEverGiveTpmExceptions() throws Exception {
        Random random = new Random(42);
        byte[][] answer = new byte[1][];
        try (FakeTpmServer server = new FakeTpmServer((n, s) -> {
            while (true) {
                FakeTpmServer.readCommand(s);
                FakeTpmServer.write(s, answer[0]);
            }
        }); Tpm tpm = new Tpm(new SwtpmTcti("127.0.0.1", server.port(), Duration.ofSeconds(2)))) {
            Set<Class<?>> seen = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                answer[0] = garbage(random);
                try {
                    tpm.execute(new GetRandom(8));
                } catch (TpmTransportException | TpmFormatException | TpmResponseException expected) {
                    seen.add(expected.getClass());
                } catch (RuntimeException e) {
                    fail("garbage response " + HexFormat.of().formatHex(answer[0]) + " gave " + e, e);
                }
            }
            assertEquals(Set.of(TpmTransportException.class, TpmFormatException.class, TpmResponseException.class),
                    seen, "each kind of garbage was met");
        }
    }

    @Test
    void aSilentControlPortTimesOut() throws IOException {
        try (FakeTpmServer silent = new FakeTpmServer((n, s) -> s.getInputStream().read())) {
            SwtpmControl control = new SwtpmControl("127.0.0.1", silent.port(), Duration.ofMillis(500));
            TpmTransportException e = assertThrows(TpmTransportException.class, control::cancel);
            assertTrue(e.getMessage().startsWith("swtpm's control channel at 127.0.0.1:" + silent.port()
                    + " gave no complete answer to CMD_CANCEL_TPM_CMD"), e.getMessage());
            assertTrue(e.getMessage().endsWith("is that port swtpm's --ctrl port?"), e.getMessage());
        }
    }

    @Test
    void aRefusedControlCommandNamesTheResult() throws IOException {
        try (FakeTpmServer control = new FakeTpmServer((n, s) -> {
            byte[] request = new byte[8];
            new DataInputStream(s.getInputStream()).readFully(request);
            assertEquals(SwtpmControl.CMD_INIT, ByteBuffer.wrap(request).getInt(), "code, then the u32 flags");
            FakeTpmServer.write(s, ByteBuffer.allocate(4).putInt(0x0A).array());
        })) {
            TpmTransportException e = assertThrows(TpmTransportException.class,
                    () -> new SwtpmControl("127.0.0.1", control.port(), Duration.ofSeconds(5)).init());
            assertEquals("swtpm's control channel at 127.0.0.1:" + control.port() + " refused CMD_INIT with result 0xa "
                    + "(TPM_BAD_ORDINAL: the TPM is not running; send CMD_INIT first)", e.getMessage());
        }
    }

    /**
     * A response-like buffer: a random tag, code and body under a size that is either random or
     * plausible. When the size is in range the buffer has exactly that length, so the stream stays in
     * step (a longer size would only make the fake server time out).
     */
    private static byte[] garbage(Random random) {
        int declared = random.nextBoolean() ? random.nextInt() : 10 + random.nextInt(40);
        boolean inRange = Integer.compareUnsigned(declared, 10) >= 0 && Integer.compareUnsigned(declared, 65536) <= 0;
        int length = inRange ? declared : 10 + random.nextInt(40);
        int tag = random.nextBoolean() ? 0x8001 : random.nextBoolean() ? 0x8002 : random.nextInt(0x10000);
        int rc = random.nextInt(4) == 0 ? random.nextInt() : 0;
        byte[] body = new byte[length - 10];
        random.nextBytes(body);
        return ByteBuffer.allocate(length).putShort((short) tag).putInt(declared).putInt(rc).put(body).array();
    }
}
