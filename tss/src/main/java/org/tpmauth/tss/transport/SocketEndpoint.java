package org.tpmauth.tss.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/** Where a simulator listens: a TCP host and port, or a UNIX socket file. */
sealed interface SocketEndpoint {
    /** A connected, blocking channel; gives up after {@code timeout} where the connect can wait. */
    SocketChannel connect(Duration timeout) throws IOException;

    /**
     * Whether a write to a connection the peer has closed fails without sending anything, so that a
     * command to a simulator that went away is known not to have arrived. True for UNIX sockets: the
     * kernel refuses the write (EPIPE) once the peer socket is closed, checking under the peer's lock as
     * it queues the data. False for TCP: a write after the peer's FIN is accepted and sent (the peer then
     * answers with a reset), so only a look at the idle connection before sending tells the two apart.
     */
    boolean closedPeerFailsWrites();

    /** One way to connect a new channel. */
    interface Connecting {
        void connect(SocketChannel channel) throws IOException;
    }

    /** {@code channel} once {@code connecting} succeeded; closed when it failed. */
    private static SocketChannel connected(SocketChannel channel, Connecting connecting) throws IOException {
        try {
            connecting.connect(channel);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A TCP port. */
    record Tcp(String host, int port) implements SocketEndpoint {
        @Override
        public SocketChannel connect(Duration timeout) throws IOException {
            return connected(SocketChannel.open(), channel -> {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.socket().connect(new InetSocketAddress(host, port),
                        (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
            });
        }

        @Override
        public boolean closedPeerFailsWrites() {
            return false;
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** A UNIX stream socket file (connecting does not wait: the peer listens or it does not). */
    record Unix(Path path) implements SocketEndpoint {
        @Override
        public SocketChannel connect(Duration timeout) throws IOException {
            return connected(SocketChannel.open(StandardProtocolFamily.UNIX),
                    channel -> channel.connect(UnixDomainSocketAddress.of(path)));
        }

        @Override
        public boolean closedPeerFailsWrites() {
            return true;
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }
}
