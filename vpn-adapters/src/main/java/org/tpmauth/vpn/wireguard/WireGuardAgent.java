package org.tpmauth.vpn.wireguard;

import java.io.Closeable;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.tpmauth.tls.LocalSockets;

/**
 * A resident service that brings WireGuard interfaces up with sealed keys on request, over a unix socket:
 * it keeps one Tpm open (its resource manager and storage key), so a bring-up costs the unseal, {@code wg set}
 * and the link, not a JVM start. One request per connection, one line each way: {@link AgentRequest} in,
 * {@code ok PUBLIC_KEY} or {@code error MESSAGE} out (what {@code tpmauth wireguard up} would print). Bring-ups
 * run one at a time; a bad request, a slow client or a failed bring-up gets its answer and the agent serves on.
 * Who may connect is the socket file's mode (0600 when this class binds it: the owner only).
 */
public final class WireGuardAgent implements Closeable {
    /** What a client has to send its line in. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Connections served at once; more are told to retry. */
    static final int MAX_CONNECTIONS = 16;
    /** How much of an oversized request is read (and dropped) so that the client still reads its answer. */
    private static final int MAX_DRAINED = 1 << 20;

    /** Brings an interface up; returns its public key, or throws with the message for the client. */
    @FunctionalInterface
    public interface Handler {
        String up(AgentRequest request) throws Exception;
    }

    private final ServerSocketChannel listener;
    private final Path socket;
    private final boolean ownsSocket;
    private final Handler handler;
    private final Function<Throwable, String> describe;
    private final Consumer<String> log;
    private final ThreadPoolExecutor workers;
    private final Thread acceptor;
    /** Bring-ups one at a time: one TPM, and two requests for one interface must not interleave. */
    private final Object bringUp = new Object();
    private final AtomicLong served = new AtomicLong();

    private WireGuardAgent(ServerSocketChannel listener, Path socket, boolean ownsSocket, Handler handler,
            Function<Throwable, String> describe, Consumer<String> log) {
        this.listener = listener;
        this.socket = socket;
        this.ownsSocket = ownsSocket;
        this.handler = handler;
        this.describe = describe;
        this.log = log;
        this.workers = new ThreadPoolExecutor(MAX_CONNECTIONS, MAX_CONNECTIONS, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> daemon(r, "wireguard-agent-connection"));
        workers.allowCoreThreadTimeOut(true);
        this.acceptor = daemon(this::acceptLoop, "wireguard-agent-accept");
    }

    /**
     * Binds {@code socket} with mode 0600 (made under a temporary name, restricted, then renamed into place, so
     * it is never reachable with a wider mode; a stale socket file is replaced) and starts serving.
     */
    public static WireGuardAgent start(Path socket, Handler handler, Function<Throwable, String> describe,
            Consumer<String> log) throws IOException {
        Path absolute = socket.toAbsolutePath();
        ServerSocketChannel listener = LocalSockets.bind(absolute, "rw-------");
        return serve(new WireGuardAgent(listener, absolute, true, handler, describe, log));
    }

    /** Serves a listening unix socket handed over by a service manager; the socket file stays its. */
    public static WireGuardAgent start(ServerSocketChannel listener, Handler handler,
            Function<Throwable, String> describe, Consumer<String> log) throws IOException {
        if (!(listener.getLocalAddress() instanceof UnixDomainSocketAddress address)) {
            throw new IOException("the passed socket listens on " + listener.getLocalAddress()
                    + ", not on a unix socket path; the socket unit needs ListenStream=/absolute/path");
        }
        return serve(new WireGuardAgent(listener, address.getPath(), false, handler, describe, log));
    }

    private static WireGuardAgent serve(WireGuardAgent agent) {
        agent.acceptor.start();
        return agent;
    }

    public Path socket() {
        return socket;
    }

    /** Whether a client has connected yet. */
    public boolean hasServed() {
        return served.get() > 0;
    }

    /** Blocks until the agent is closed. */
    public void awaitClose() throws InterruptedException {
        acceptor.join();
    }

    /**
     * Sends one request to an agent and returns the public key it answers with; an {@code error} answer becomes
     * a {@link WireGuardException} with the agent's message.
     */
    public static String request(Path socket, AgentRequest request) throws IOException {
        SocketChannel connected;
        try {
            connected = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new WireGuardException("cannot reach the agent at " + socket + " (" + e.getMessage() + "); start it: "
                    + "`systemctl start tpmauth-wireguard-agent.socket` or `tpmauth wireguard agent --socket " + socket
                    + "`", e);
        }
        try (SocketChannel channel = connected) {
            IOException unsent = null;
            try {
                channel.write(ByteBuffer.wrap((request.toLine() + "\n").getBytes(StandardCharsets.US_ASCII)));
                channel.shutdownOutput();
            } catch (IOException e) {
                unsent = e; // a full agent answers and closes at once: its answer is there to read
            }
            ByteBuffer answer = ByteBuffer.allocate(AgentRequest.MAX_LINE * 2);
            try {
                while (answer.hasRemaining() && channel.read(answer) >= 0) {
                    // until the agent closes
                }
            } catch (IOException e) { // a reset after the answer: the agent closed before reading the request
                if (answer.position() == 0) {
                    if (unsent != null) {
                        e.addSuppressed(unsent);
                    }
                    throw e;
                }
            }
            String line = new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8).strip();
            if (line.startsWith("ok ")) {
                return line.substring(3);
            }
            throw new WireGuardException(line.startsWith("error ") ? line.substring(6)
                    : "the agent at " + socket + " gave no answer" + (line.isEmpty() ? "" : ": " + line));
        }
    }

    private void acceptLoop() {
        LocalSockets.acceptUntilClosed(listener, this::dispatch,
                e -> log.accept("tpmauth wireguard agent: accept failed: " + e.getMessage()));
    }

    private void dispatch(SocketChannel channel) {
        try {
            workers.execute(() -> serve(channel));
        } catch (RejectedExecutionException busy) {
            try (channel) {
                channel.write(encoded("error the agent is serving " + MAX_CONNECTIONS + " clients; try again"));
                channel.shutdownOutput();
            } catch (IOException e) {
                // the client is gone
            }
        }
    }

    private void serve(SocketChannel channel) {
        long id = served.incrementAndGet();
        String peer = peer(channel);
        try (channel; Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer out = encoded(answer(readLine(channel, selector), peer));
            // the answer fits the socket's buffer; waiting for room only if a client reads nothing at all
            channel.register(selector, SelectionKey.OP_WRITE);
            long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
            while (out.hasRemaining() && channel.write(out) >= 0 && System.nanoTime() < deadline) {
                if (out.hasRemaining()) {
                    selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
            }
        } catch (IOException e) {
            log.accept("tpmauth wireguard agent: request " + id + peer + ": connection failed: " + e.getMessage());
        }
    }

    /** The answer line for what the client sent (a line, or what was wrong with it), logged without secrets. */
    private String answer(Line line, String peer) {
        if (line instanceof Line.Refused refused) {
            log.accept("tpmauth wireguard agent: refused a request" + peer + ": " + refused.reason());
            return "error " + refused.reason();
        }
        AgentRequest request;
        try {
            request = AgentRequest.parse(((Line.Text) line).text());
        } catch (IllegalArgumentException e) {
            log.accept("tpmauth wireguard agent: refused a request" + peer + ": " + e.getMessage());
            return "error " + e.getMessage();
        }
        long start = System.nanoTime();
        String result;
        synchronized (bringUp) {
            try {
                result = "ok " + handler.up(request);
            } catch (Exception e) {
                result = "error " + describe.apply(e);
            }
        }
        log.accept(String.format("tpmauth wireguard agent: %s%s: %s (%.1f ms)", request.toLine(), peer, result,
                (System.nanoTime() - start) / 1e6));
        return result;
    }

    private static ByteBuffer encoded(String text) {
        return ByteBuffer.wrap((text.replaceAll("[\\r\\n]+", " ") + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** What a client sent up to its first newline: the line, or why it is not one. */
    private sealed interface Line {
        record Text(String text) implements Line {
        }

        record Refused(String reason) implements Line {
        }
    }

    /**
     * Reads up to the first newline within {@link #REQUEST_TIMEOUT}. An oversized line is read on to its end
     * (dropped, up to a bound) before the answer, so that the client is not cut off before reading it.
     */
    private static Line readLine(SocketChannel channel, Selector selector) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(AgentRequest.MAX_LINE + 2);
        long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
        int dropped = 0;
        while (true) {
            int end = newline(buffer);
            if (end >= 0) {
                return dropped > 0 ? tooLong() : text(buffer, end);
            }
            if (!buffer.hasRemaining()) {
                dropped += buffer.position();
                buffer.clear();
                if (dropped > MAX_DRAINED) {
                    return tooLong();
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new Line.Refused("no request line within " + REQUEST_TIMEOUT.toSeconds() + " s; expected: "
                        + AgentRequest.USAGE);
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            if (channel.read(buffer) < 0) { // the client closed without a newline: what it sent is the line
                return dropped > 0 ? tooLong() : buffer.position() == 0
                        ? new Line.Refused("empty request; expected: " + AgentRequest.USAGE) : text(buffer, buffer.position());
            }
        }
    }

    private static Line tooLong() {
        return new Line.Refused("the request is longer than " + AgentRequest.MAX_LINE + " bytes");
    }

    private static int newline(ByteBuffer buffer) {
        for (int i = 0; i < buffer.position(); i++) {
            if (buffer.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The bytes before {@code end} as a line (a trailing CR dropped); non-ASCII bytes stay visible to the parser. */
    private static Line text(ByteBuffer buffer, int end) {
        int length = end > 0 && buffer.get(end - 1) == '\r' ? end - 1 : end;
        if (length > AgentRequest.MAX_LINE) {
            return tooLong();
        }
        return new Line.Text(new String(buffer.array(), 0, length, StandardCharsets.ISO_8859_1));
    }

    private static String peer(SocketChannel channel) {
        return LocalSockets.peerUser(channel).map(user -> " from " + user).orElse("");
    }

    private static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops accepting; requests being served finish. The socket file is removed when this agent made it. */
    @Override
    public void close() throws IOException {
        listener.close();
        workers.shutdown();
        if (ownsSocket) {
            Files.deleteIfExists(socket);
        }
    }
}
