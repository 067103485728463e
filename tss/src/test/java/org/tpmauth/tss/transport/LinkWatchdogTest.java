package org.tpmauth.tss.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The watchdog on its own (not the shared one: other links in this JVM must not wake it): it sleeps
 * without a timed wake-up while no command is in flight, and a command that starts then is still timed out.
 */
class LinkWatchdogTest {
    private static final byte[] GET_RANDOM_8 = {(byte) 0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x7b, 0, 8};

    private static byte[] exchange(SocketLink link) throws IOException {
        link.send(GET_RANDOM_8);
        byte[] response = link.receive(FakeTpmServer.randomResponse(1).length);
        link.finished();
        return response;
    }

    private static void awaitIdle(LinkWatchdog watchdog) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!watchdog.sleepsUntilACommand()) {
            assertTrue(System.nanoTime() - end < 0, "the watchdog never went to sleep until the next command");
            Thread.sleep(5);
        }
    }

    @Test
    void anIdleLinkCostsNoWakeUpsAndTheNextCommandIsStillTimedOut() throws Exception {
        LinkWatchdog watchdog = new LinkWatchdog();
        try (FakeTpmServer server = new FakeTpmServer((n, s) -> {
            for (int i = 0; i < 2; i++) {
                FakeTpmServer.readCommand(s);
                FakeTpmServer.write(s, FakeTpmServer.randomResponse(1));
            }
            FakeTpmServer.readCommand(s); // and no answer
            s.getInputStream().read();
        }); SocketLink link = SocketLink.connect(new SocketEndpoint.Tcp("127.0.0.1", server.port()),
                Duration.ofMillis(100), "fake", "", watchdog)) {
            assertArrayEquals(FakeTpmServer.randomResponse(1), exchange(link));
            awaitIdle(watchdog);
            long checks = watchdog.checks();
            Thread.sleep(500); // five timeouts: the old watchdog looked 8 times per timeout
            assertEquals(checks, watchdog.checks(), "no wake-up while the link is idle");
            assertTrue(watchdog.sleepsUntilACommand());

            assertArrayEquals(FakeTpmServer.randomResponse(1), exchange(link), "a command after the sleep");
            awaitIdle(watchdog);
            link.send(GET_RANDOM_8);
            assertThrows(SocketTimeoutException.class, () -> link.receive(10), "started while the watchdog slept");
        }
    }

    @Test
    void commandsBackToBackDoNotWakeTheWatchdogEachTime() throws Exception {
        LinkWatchdog watchdog = new LinkWatchdog();
        int commands = 50;
        try (FakeTpmServer server = new FakeTpmServer((n, s) -> {
            for (int i = 0; i < commands; i++) {
                FakeTpmServer.readCommand(s);
                FakeTpmServer.write(s, FakeTpmServer.randomResponse(1));
            }
        }); SocketLink link = SocketLink.connect(new SocketEndpoint.Tcp("127.0.0.1", server.port()),
                Duration.ofMinutes(10), "fake", "", watchdog)) {
            awaitIdle(watchdog);
            long checks = watchdog.checks();
            for (int i = 0; i < commands; i++) {
                exchange(link);
            }
            // the first command wakes it; it then sleeps until that command's deadline, minutes away
            assertTrue(watchdog.checks() - checks <= 2, (watchdog.checks() - checks) + " checks for " + commands
                    + " commands");
        }
    }
}
