package org.tpmauth.vpn.wireguard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration-socket client against a stand-in daemon on a socket in a temporary directory: what it sends
 * (the protocol's set with the key as hex, the all-zero key to remove it), what it makes of the answers (errno 0,
 * a refusal, a malformed or cut answer), and that no socket or a stale one means "not a userspace interface".
 */
class UapiSocketTest {
    @TempDir
    Path dir;

    /** Serves one connection: reads the request up to its empty line, answers {@code answer}, returns the request. */
    private CompletableFuture<byte[]> daemon(String iface, String answer) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve(iface + ".sock")));
        return CompletableFuture.supplyAsync(() -> {
            try (server; SocketChannel c = server.accept()) {
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                ByteBuffer in = ByteBuffer.allocate(256);
                while (!request.toString(StandardCharsets.US_ASCII).endsWith("\n\n") && c.read(in) >= 0) {
                    request.write(in.array(), 0, in.position());
                    in.clear();
                }
                c.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.US_ASCII)));
                return request.toByteArray();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static byte[] key() {
        byte[] raw = new byte[WireGuardKey.SIZE];
        Arrays.fill(raw, (byte) 0xa5);
        raw[0] = 0x01;
        return raw;
    }

    @Test
    void sendsTheKeyAsHexAndAcceptsErrnoZero() throws Exception {
        CompletableFuture<byte[]> request = daemon("wg0", "errno=0\n\n");
        assertTrue(new UapiSocket(dir).setPrivateKey("wg0", key()));
        assertArrayEquals(("set=1\nprivate_key=" + HexFormat.of().formatHex(key()) + "\n\n")
                .getBytes(StandardCharsets.US_ASCII), request.get(10, TimeUnit.SECONDS));
    }

    @Test
    void removingTheKeySendsTheAllZeroKey() throws Exception {
        CompletableFuture<byte[]> request = daemon("wg0", "errno=0\n\n");
        assertTrue(new UapiSocket(dir).setPrivateKey("wg0", new byte[WireGuardKey.SIZE]));
        assertEquals("set=1\nprivate_key=" + "0".repeat(64) + "\n\n",
                new String(request.get(10, TimeUnit.SECONDS), StandardCharsets.US_ASCII));
    }

    @Test
    void aRefusalIsAnErrorWithTheErrno() throws Exception {
        daemon("wg0", "errno=22\n\n");
        String message = assertThrows(WireGuardException.class, () -> new UapiSocket(dir).setPrivateKey("wg0", key()))
                .getMessage();
        assertTrue(message.startsWith("the WireGuard daemon of wg0 refused the private key: errno 22"), message);
        assertFalse(message.contains(HexFormat.of().formatHex(key())), "no key in the message");
    }

    @Test
    void aMalformedOrCutAnswerIsAnError() throws Exception {
        daemon("wg0", "hello\n\n");
        String malformed = assertThrows(WireGuardException.class, () -> new UapiSocket(dir).setPrivateKey("wg0", key()))
                .getMessage();
        assertTrue(malformed.startsWith("the WireGuard daemon of wg0 gave a malformed answer: answer line without"),
                malformed);
        Files.delete(dir.resolve("wg0.sock"));
        daemon("wg0", "errno=0\n");
        String cut = assertThrows(WireGuardException.class, () -> new UapiSocket(dir).setPrivateKey("wg0", key()))
                .getMessage();
        assertTrue(cut.contains("closed the socket before the end of its answer"), cut);
    }

    @Test
    void noSocketOrAStaleOneIsNoUserspaceInterface() throws IOException {
        assertFalse(new UapiSocket(dir).setPrivateKey("wg0", key()));
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(dir.resolve("wg1.sock")));
        } // closed: the file stays, nobody listens
        assertTrue(Files.exists(dir.resolve("wg1.sock")));
        assertFalse(new UapiSocket(dir).setPrivateKey("wg1", key()));
    }
}
