package org.tpmauth.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSocketsTest {
    @TempDir
    Path dir;

    @Test
    void bindReplacesAStaleFileWithASocketOfTheGivenModeAndLeavesNoTemporaryName() throws Exception {
        Path socket = dir.resolve("service.sock");
        Files.writeString(socket, "stale");
        try (ServerSocketChannel listener = LocalSockets.bind(socket, "rw-------")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(socket), files.toList());
            }
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                    SocketChannel served = listener.accept()) {
                assertEquals(Optional.of(System.getProperty("user.name")), LocalSockets.peerUser(served));
                assertTrue(client.isConnected());
            }
        }
    }

    @Test
    void aBindThatFailsLeavesNothingBehind() throws Exception {
        Path socket = dir.resolve("missing-directory").resolve("service.sock");
        assertThrows(IOException.class, () -> LocalSockets.bind(socket, "rw-rw----"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void acceptUntilClosedServesEachConnectionAndReturnsWhenTheListenerCloses() throws Exception {
        Path socket = dir.resolve("accept.sock");
        BlockingQueue<SocketChannel> served = new ArrayBlockingQueue<>(4);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        Thread loop = new Thread(() -> LocalSockets.acceptUntilClosed(listener, served::add,
                e -> { throw new AssertionError("no accept should fail", e); }));
        loop.start();
        try (SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                SocketChannel b = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            try (SocketChannel first = served.poll(30, TimeUnit.SECONDS);
                    SocketChannel second = served.poll(30, TimeUnit.SECONDS)) {
                assertTrue(first != null && second != null, "both connections handed over");
            }
        }
        listener.close();
        loop.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(loop.isAlive(), "the loop ends with its listener");
    }
}
