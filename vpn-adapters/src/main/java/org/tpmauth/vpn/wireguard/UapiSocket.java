package org.tpmauth.vpn.wireguard;

import java.io.IOException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The configuration socket of a userspace WireGuard (wireguard-go, boringtun): {@code DIR/IFACE.sock}, a unix
 * stream socket speaking the text protocol of wireguard.com/xplatform, where {@code wg} finds it too. Setting the
 * key here costs a connect and two small messages instead of starting {@code wg}. The key goes as hex through a
 * direct buffer of this class (written to the socket without the JDK's intermediate copy) that is wiped after
 * the write, like the caller's raw bytes.
 */
final class UapiSocket {
    /** Where wireguard-go and wg(8) put the sockets on Linux. */
    static final Path DEFAULT_DIRECTORY = Path.of("/var/run/wireguard");
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] PREFIX = "set=1\nprivate_key=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final Path directory;

    UapiSocket(Path directory) {
        this.directory = directory;
    }

    Path socketOf(String iface) {
        return directory.resolve(iface + ".sock");
    }

    /**
     * Sets the interface's private key to {@code raw} (32 bytes; all zeros removes the key, as the protocol
     * defines). Returns false, having sent nothing, when no userspace implementation serves this interface (no
     * socket file, or one nobody listens on: the kernel's interfaces have none); throws when one refused the key
     * or did not answer.
     */
    boolean setPrivateKey(String iface, byte[] raw) {
        Path path = socketOf(iface);
        if (!Files.exists(path)) {
            return false;
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
        } catch (SocketException e) { // refused / gone: a stale file left by a stopped daemon
            return false;
        } catch (IOException e) {
            throw new WireGuardException("cannot reach " + path + " (" + e.getMessage() + ")", e);
        }
        ByteBuffer request = ByteBuffer.allocateDirect(PREFIX.length + 2 * WireGuardKey.SIZE + SUFFIX.length);
        try (channel; Selector selector = Selector.open()) {
            request.put(PREFIX);
            for (byte b : raw) {
                request.put(HEX[(b >> 4) & 0xf]).put(HEX[b & 0xf]);
            }
            request.put(SUFFIX).flip();
            channel.configureBlocking(false);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            channel.register(selector, SelectionKey.OP_WRITE);
            while (channel.write(request) >= 0 && request.hasRemaining()) {
                await(selector, deadline, path);
            }
            wipe(request);
            channel.register(selector, SelectionKey.OP_READ);
            UapiAnswer answer = UapiAnswer.parse(readAnswer(channel, selector, deadline, path));
            if (answer.errno() != 0) {
                throw new WireGuardException("the WireGuard daemon of " + iface + " refused the private key: errno "
                        + answer.errno() + " (" + path + ")");
            }
            return true;
        } catch (IllegalArgumentException e) {
            throw new WireGuardException("the WireGuard daemon of " + iface + " gave a malformed answer: " + e.getMessage()
                    + " (" + path + ")", e);
        } catch (IOException e) {
            throw new WireGuardException("setting the private key of " + iface + " through " + path + " failed: "
                    + e.getMessage(), e);
        } finally {
            wipe(request);
        }
    }

    private static byte[] readAnswer(SocketChannel channel, Selector selector, long deadline, Path path)
            throws IOException {
        ByteBuffer in = ByteBuffer.allocate(UapiAnswer.MAX_SIZE);
        while (!UapiAnswer.complete(in.array(), in.position())) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("answer longer than " + UapiAnswer.MAX_SIZE + " bytes");
            }
            if (channel.read(in) < 0) {
                throw new IllegalArgumentException("the daemon closed the socket before the end of its answer");
            }
            if (!UapiAnswer.complete(in.array(), in.position())) {
                await(selector, deadline, path);
            }
        }
        return Arrays.copyOf(in.array(), in.position());
    }

    private static void await(Selector selector, long deadline, Path path) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new IOException("no answer within " + TIMEOUT.toSeconds() + " s from " + path);
        }
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
    }

    private static void wipe(ByteBuffer buffer) {
        buffer.clear();
        while (buffer.hasRemaining()) {
            buffer.put((byte) 0);
        }
    }
}
