package org.tpmauth.tss.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One connection to a TPM simulator (TCP or a UNIX socket): connects with a message naming the peer,
 * sends whole buffers, reads exact byte counts with a timeout, and can tell whether an idle TCP
 * connection is still open without sending anything.
 *
 * <p>The channel blocks: a command is one write and (usually) one read system call. The timeout is the
 * shared {@link LinkWatchdog}'s job, which closes the connection of a command past its deadline and
 * sleeps while no command is in flight.
 */
final class SocketLink implements AutoCloseable {
    /**
     * An idle TCP connection is checked for a peer that went away (a restarted simulator) before the
     * next command only after this long: commands back to back need no check, and no simulator restarts
     * in this time.
     */
    static final long PROBE_AFTER_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final SocketChannel channel;
    private final long timeoutNanos;
    /** UNIX sockets need no look before sending: a write to a closed peer fails unsent. */
    private final boolean probeWhenIdle;
    /**
     * Bytes that arrived but were not asked for yet: a response usually comes in one read. On the heap: the
     * JDK reads through a direct buffer it keeps per thread, while a direct one here was a malloc, zeroing
     * and a Cleaner per connection (a Tpm opened per unseal spent 0.1-0.2 ms of its CPU on it).
     */
    private final ByteBuffer pending = ByteBuffer.allocate(8192).flip();
    private final ByteBuffer probe = ByteBuffer.allocate(1);
    private long received;
    private final LinkWatchdog watchdog;
    /** When the running exchange is given up (System.nanoTime), 0 while idle; read by the watchdog. */
    private volatile long deadline;
    /** Exchanges started; written before {@link #deadline}, so the watchdog sees it as new as that. */
    private long started;
    /** {@link #started} at the watchdog's last check (the watchdog's own). */
    private long startedAtCheck;
    /** Set by the watchdog when it closed the connection for a late answer. */
    private volatile boolean expired;
    private long idleSince = System.nanoTime();

    private SocketLink(SocketChannel channel, Duration timeout, boolean probeWhenIdle, LinkWatchdog watchdog) {
        this.channel = channel;
        this.timeoutNanos = Math.max(1, timeout.toNanos());
        this.probeWhenIdle = probeWhenIdle;
        this.watchdog = watchdog;
        watchdog.watch(this);
    }

    /**
     * Connects to {@code endpoint}.
     *
     * @param who the peer in messages, e.g. "swtpm"
     * @param howToStart advice appended when nothing listens there
     */
    static SocketLink connect(SocketEndpoint endpoint, Duration timeout, String who, String howToStart) {
        return connect(endpoint, timeout, who, howToStart, LinkWatchdog.SHARED);
    }

    /** As {@link #connect(SocketEndpoint, Duration, String, String)}, with its timeouts kept by {@code watchdog}. */
    static SocketLink connect(SocketEndpoint endpoint, Duration timeout, String who, String howToStart,
            LinkWatchdog watchdog) {
        String where = who + " at " + endpoint;
        try {
            return new SocketLink(endpoint.connect(timeout), timeout, !endpoint.closedPeerFailsWrites(), watchdog);
        } catch (ConnectException e) {
            throw new TpmTransportException("cannot connect to " + where + " (" + e.getMessage() + "): is it running? "
                    + howToStart, e);
        } catch (UnknownHostException e) { // only TCP resolves names
            String host = endpoint instanceof SocketEndpoint.Tcp tcp ? tcp.host() : String.valueOf(e.getMessage());
            throw new TpmTransportException("cannot connect to " + where + ": unknown host '" + host + "'", e);
        } catch (SocketTimeoutException e) {
            throw new TpmTransportException("cannot connect to " + where + ": no answer within "
                    + timeout.toSeconds() + " s (firewall, wrong host?)", e);
        } catch (IOException | RuntimeException e) {
            if (endpoint instanceof SocketEndpoint.Unix unix && !Files.exists(unix.path())) {
                throw new TpmTransportException("cannot connect to " + where + ": there is no socket file "
                        + unix.path() + ": is it running? " + howToStart, e);
            }
            throw new TpmTransportException("cannot connect to " + where + ": " + e, e);
        }
    }

    /**
     * Sends the buffers in order, resets the received-byte count and starts the exchange's timeout,
     * which runs until {@link #finished}.
     */
    void send(byte[]... parts) throws IOException {
        received = 0;
        started++;
        deadline = System.nanoTime() + timeoutNanos | 1; // never 0, which means idle
        watchdog.started();
        try {
            if (parts.length == 1) {
                channel.write(ByteBuffer.wrap(parts[0])); // a blocking channel writes all of it
                return;
            }
            ByteBuffer[] buffers = new ByteBuffer[parts.length];
            for (int i = 0; i < parts.length; i++) {
                buffers[i] = ByteBuffer.wrap(parts[i]);
            }
            // one gathering write keeps small framed requests in one segment (swtpm reads each in one read)
            channel.write(buffers);
        } catch (ClosedChannelException e) {
            throw lateOr(e);
        }
    }

    /** Ends the exchange's timeout: the connection is idle. */
    void finished() {
        deadline = 0;
        idleSince = System.nanoTime();
    }

    /**
     * Reads exactly {@code n} bytes.
     *
     * @throws EOFException when the peer closes first
     * @throws SocketTimeoutException when the peer stays silent past the timeout
     */
    byte[] receive(int n) throws IOException {
        byte[] out = new byte[n];
        receive(out, 0, n);
        return out;
    }

    /** Reads exactly {@code n} bytes into {@code out} from {@code offset} on, as {@link #receive(int)}. */
    void receive(byte[] out, int offset, int n) throws IOException {
        int done = 0;
        while (done < n) {
            if (!pending.hasRemaining()) {
                fill();
            }
            int chunk = Math.min(n - done, pending.remaining());
            pending.get(out, offset + done, chunk);
            done += chunk;
            received += chunk;
        }
    }

    /** Reads what has arrived into {@link #pending}, waiting for at least one byte. */
    private void fill() throws IOException {
        pending.clear();
        try {
            if (channel.read(pending) < 0) {
                throw new EOFException("the peer closed the connection after " + received + " response bytes");
            }
        } catch (ClosedChannelException e) {
            throw lateOr(e);
        } finally {
            pending.flip();
        }
    }

    /** A timeout when the watchdog closed the channel, else what closed it. */
    private IOException lateOr(ClosedChannelException e) {
        if (!expired) {
            return e;
        }
        SocketTimeoutException late = new SocketTimeoutException("no answer within "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        late.initCause(e);
        return late;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    /** When the running exchange is given up, 0 while idle. */
    long deadline() {
        return deadline;
    }

    /** Whether an exchange started since the last call (the watchdog's, after reading {@link #deadline()}). */
    boolean startedSinceLastCheck() {
        long n = started;
        boolean news = n != startedAtCheck;
        startedAtCheck = n;
        return news;
    }

    /** Closes the connection of an exchange past its deadline (the watchdog's verdict). */
    void expire() {
        expired = true;
        close();
    }

    /** Bytes that arrived since the last {@link #send}. */
    long received() {
        return received;
    }

    /**
     * True when the idle connection is closed or reset by the peer, or holds bytes nobody asked for
     * (either way it is of no more use). Does not block and sends nothing. Looks at a TCP socket only
     * after {@link #PROBE_AFTER_IDLE_NANOS} of idleness (four fcntl and a read), a UNIX socket never:
     * there a closed peer makes the next write fail before anything is sent, which the session takes
     * as the same answer.
     */
    boolean isDeadWhileIdle() {
        if (pending.hasRemaining() || expired) { // expired: the watchdog closed it as the answer came
            return true;
        }
        if (!probeWhenIdle || System.nanoTime() - idleSince < PROBE_AFTER_IDLE_NANOS) {
            return false;
        }
        try {
            channel.configureBlocking(false);
            probe.clear();
            boolean dead = channel.read(probe) != 0;
            channel.configureBlocking(true);
            return dead;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        watchdog.forget(this);
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
