package org.tpmauth.tls;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The unix sockets of tpmauth's local services (the PKCS#11 token, the WireGuard agent), whose file mode decides
 * who may use them.
 */
public final class LocalSockets {
    private LocalSockets() {
    }

    /**
     * Binds a listening socket at {@code socket} with {@code permissions} (as "rw-rw----"). It is bound under a
     * temporary name beside it, restricted, then renamed into place, so a program (or a service manager) waiting
     * for the path never finds it with the umask's mode; a stale socket file is replaced.
     */
    public static ServerSocketChannel bind(Path socket, String permissions) throws IOException {
        Path absolute = socket.toAbsolutePath();
        Path temporary = absolute.resolveSibling("." + absolute.getFileName() + "." + ProcessHandle.current().pid());
        Files.deleteIfExists(temporary);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(temporary));
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString(permissions));
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            listener.close();
            Files.deleteIfExists(temporary);
            throw e;
        }
        return listener;
    }

    /**
     * Accepts connections until {@code listener} is closed, handing each to {@code serve}; a failed accept is
     * reported to {@code acceptFailed} and the loop goes on.
     */
    public static void acceptUntilClosed(ServerSocketChannel listener, Consumer<SocketChannel> serve,
            Consumer<IOException> acceptFailed) {
        while (listener.isOpen()) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                acceptFailed.accept(e);
                continue;
            }
            serve.accept(channel);
        }
    }

    /** The connected program's user, for logs; empty where the platform does not tell. */
    public static Optional<String> peerUser(SocketChannel channel) {
        try {
            UnixDomainPrincipal p = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return Optional.of(p.user().getName());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }
}
