package org.tpmauth.tss.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * One TCP connection to a TPM simulator port: connects with a message naming host:port, sends whole
 * buffers, reads exact byte counts with a timeout, and can tell whether an idle connection is still
 * open without sending anything.
 */
final class TcpLink implements AutoCloseable {
    private final SocketChannel channel;
    private final InputStream in;
    private long received;

    private TcpLink(SocketChannel channel) throws IOException {
        this.channel = channel;
        // the socket adaptor's stream honours SO_TIMEOUT, which plain channel reads ignore
        this.in = channel.socket().getInputStream();
    }

    /**
     * Connects to {@code host:port}.
     *
     * @param who the peer in messages, e.g. "swtpm"
     * @param howToStart advice appended when nothing listens there
     */
    static TcpLink connect(String host, int port, Duration timeout, String who, String howToStart) {
        String where = who + " at " + host + ":" + port;
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.socket().connect(new InetSocketAddress(host, port), millis(timeout));
            channel.socket().setSoTimeout(millis(timeout));
            return new TcpLink(channel);
        } catch (ConnectException e) {
            closeQuietly(channel);
            throw new TpmTransportException("cannot connect to " + where + " (" + e.getMessage() + "): is it running? "
                    + howToStart, e);
        } catch (UnknownHostException e) {
            closeQuietly(channel);
            throw new TpmTransportException("cannot connect to " + where + ": unknown host '" + host + "'", e);
        } catch (SocketTimeoutException e) {
            closeQuietly(channel);
            throw new TpmTransportException("cannot connect to " + where + ": no answer within "
                    + timeout.toSeconds() + " s (firewall, wrong host?)", e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw new TpmTransportException("cannot connect to " + where + ": " + e, e);
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    /** Sends the buffers in order and resets the received-byte count. */
    void send(byte[]... parts) throws IOException {
        received = 0;
        ByteBuffer[] buffers = new ByteBuffer[parts.length];
        long total = 0;
        for (int i = 0; i < parts.length; i++) {
            buffers[i] = ByteBuffer.wrap(parts[i]);
            total += parts[i].length;
        }
        // one gathering write keeps small framed requests in one segment (swtpm reads each in one read)
        while (total > 0) {
            total -= channel.write(buffers);
        }
    }

    /**
     * Reads exactly {@code n} bytes.
     *
     * @throws EOFException when the peer closes first
     * @throws SocketTimeoutException when the peer stays silent past the timeout
     */
    byte[] receive(int n) throws IOException {
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            int r = in.read(out, done, n - done);
            if (r < 0) {
                throw new EOFException("the peer closed the connection after " + received + " response bytes");
            }
            done += r;
            received += r;
        }
        return out;
    }

    /** Bytes that arrived since the last {@link #send}. */
    long received() {
        return received;
    }

    /**
     * True when the idle connection is closed or reset by the peer, or holds bytes nobody asked for
     * (either way it is of no more use). Does not block and sends nothing.
     */
    boolean isDeadWhileIdle() {
        try {
            channel.configureBlocking(false);
            try {
                return channel.read(ByteBuffer.allocate(1)) != 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
