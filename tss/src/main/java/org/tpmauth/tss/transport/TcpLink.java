package org.tpmauth.tss.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * One TCP connection to a TPM simulator port: connects with a message naming host:port, sends whole
 * buffers, reads exact byte counts with a timeout, and can tell whether an idle connection is still
 * open without sending anything.
 */
final class TcpLink implements AutoCloseable {
    private final SocketChannel channel;
    /** Waits for readability / writability: the channel stays non-blocking, never switched per command. */
    private final Selector selector;
    private final SelectionKey key;
    private final long timeoutMillis;
    /** Bytes that arrived but were not asked for yet: a response usually comes in one read. */
    private final ByteBuffer pending = ByteBuffer.allocate(8192).flip();
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    private long received;

    private TcpLink(SocketChannel channel, Duration timeout) throws IOException {
        this.channel = channel;
        this.timeoutMillis = millis(timeout);
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, 0);
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
            return new TcpLink(channel, timeout);
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
            long n = channel.write(buffers);
            if (n == 0) {
                await(SelectionKey.OP_WRITE);
            }
            total -= n;
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
            if (!pending.hasRemaining()) {
                fill();
            }
            int chunk = Math.min(n - done, pending.remaining());
            pending.get(out, done, chunk);
            done += chunk;
            received += chunk;
        }
        return out;
    }

    /**
     * Reads what has arrived into {@link #pending}, waiting up to the timeout for the first byte. The
     * first read after a send waits first: the TPM has not answered yet, and a read that finds nothing
     * would be a system call for nothing.
     */
    private void fill() throws IOException {
        pending.clear();
        try {
            if (received == 0) {
                await(SelectionKey.OP_READ);
            }
            int r;
            while ((r = channel.read(pending)) == 0) {
                await(SelectionKey.OP_READ);
            }
            if (r < 0) {
                throw new EOFException("the peer closed the connection after " + received + " response bytes");
            }
        } finally {
            pending.flip();
        }
    }

    private void await(int operation) throws IOException {
        key.interestOps(operation);
        try {
            if (selector.select(timeoutMillis) == 0) {
                throw new SocketTimeoutException("no answer within " + timeoutMillis + " ms");
            }
        } finally {
            selector.selectedKeys().clear();
            key.interestOps(0);
        }
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
        if (pending.hasRemaining()) {
            return true;
        }
        try {
            probe.clear();
            return channel.read(probe) != 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        closeQuietly(selector);
        closeQuietly(channel);
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
