package org.tpmauth.pkcs11;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.tpmauth.tls.LocalSockets;

/**
 * The server side of p11-kit's RPC protocol (version 0) on a unix socket: one thread per connection,
 * each connection one PKCS#11 {@link Application} on the shared {@link Token}. A malformed or oversized
 * message ends only its own connection; an unsupported call gets CKR_FUNCTION_NOT_SUPPORTED; the end of
 * a connection (C_Finalize, exit, crash) frees its sessions and login.
 */
public final class Pkcs11Server implements Closeable {
    /** The protocol version spoken: 0, which every p11-kit client accepts (P11KIT.md section 2). */
    private static final int PROTOCOL_VERSION = 0;
    /**
     * The warm-up's size: enough calls for the JIT to compile the request path (a method is compiled after
     * a few hundred calls), up to a thousand signatures for the TPM code under C_Sign (on a strongSwan run
     * 1,000 brought C_Sign's server CPU from 750-900 to 630-690 µs against 300).
     */
    static final int WARM_UP_ROUNDS = 300;
    static final int WARM_UP_SIGNATURES = 1000;
    static final Duration WARM_UP_SIGNING_BUDGET = Duration.ofSeconds(1);
    /** A response frame carries no options. */
    private static final byte[] NO_OPTIONS = new byte[0];

    private final Token token;
    private final ServerSocketChannel listener;
    private final Path socket;
    private final PrintStream log;
    /** Whether the socket file is this server's to remove (not when systemd made it). */
    private final boolean ownsSocket;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionCount = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean closing;

    private Pkcs11Server(Token token, ServerSocketChannel listener, Path socket, PrintStream log, boolean ownsSocket) {
        this.token = token;
        this.ownsSocket = ownsSocket;
        this.listener = listener;
        this.socket = socket;
        this.log = log;
        this.acceptor = new Thread(this::acceptLoop, "pkcs11-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Binds {@code socket} (a stale socket file is replaced), makes it readable and writable by its owner
     * and group only (0660: the group decides who may use the token), and starts serving. The socket is
     * bound under a temporary name and renamed into place once its mode is set, so a program (or a
     * service manager) that waits for the path never finds it with the umask's mode.
     */
    public static Pkcs11Server start(Token token, Path socket, PrintStream log) throws IOException {
        ServerSocketChannel listener = LocalSockets.bind(socket, "rw-rw----");
        return serve(new Pkcs11Server(token, listener, socket, log, true));
    }

    /**
     * Serves on a listening unix socket handed over by systemd ({@link SystemdSocket}); the socket file
     * stays systemd's.
     */
    public static Pkcs11Server start(Token token, ServerSocketChannel listener, PrintStream log) throws IOException {
        if (!(listener.getLocalAddress() instanceof UnixDomainSocketAddress address)) {
            throw new IOException("the passed socket listens on " + listener.getLocalAddress()
                    + ", not on a unix socket path; the socket unit needs ListenStream=/absolute/path");
        }
        return serve(new Pkcs11Server(token, listener, address.getPath(), log, false));
    }

    private static Pkcs11Server serve(Pkcs11Server server) {
        server.acceptor.start();
        return server;
    }

    public Path socket() {
        return socket;
    }

    /** Blocks until the server is closed. */
    public void awaitClose() throws InterruptedException {
        acceptor.join();
    }

    private void acceptLoop() {
        LocalSockets.acceptUntilClosed(listener, channel -> {
            long id = connectionCount.incrementAndGet();
            connections.add(channel);
            Thread t = new Thread(() -> serve(channel, id), "pkcs11-connection-" + id);
            t.setDaemon(true);
            t.start();
        }, e -> log.println("pkcs11: accept failed: " + e.getMessage()));
    }

    private void serve(SocketChannel channel, long id) {
        String peer = peer(channel);
        try (channel; Application application = new Application(token)) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(channel));
            OutputStream out = Channels.newOutputStream(channel);
            // the client's version byte comes first; closing before reading it can SIGPIPE the client
            if (in.read() < 0) {
                return;
            }
            out.write(PROTOCOL_VERSION);
            out.flush();
            for (RpcFrame frame; (frame = RpcFrame.read(in)) != null; ) {
                out.write(respond(application, frame, id)); // one write per response
            }
        } catch (RpcFormatException e) {
            log.println("pkcs11: connection " + id + peer + " closed: malformed message: " + e.getMessage());
        } catch (IOException e) {
            if (channel.isOpen() || !closing) {
                log.println("pkcs11: connection " + id + peer + " ended: " + e.getMessage());
            }
        } finally {
            connections.remove(channel);
        }
    }

    /** The encoded response frame to one request frame. */
    private byte[] respond(Application application, RpcFrame request, long id) throws RpcFormatException {
        return new RpcFrame(request.code(), NO_OPTIONS, answer(application, request.body(), id).encode()).encode();
    }

    /**
     * Runs the calls programs make through this server before they come ({@link WarmUp}), over a
     * connection to its own socket, so that the whole path of a program's call is compiled:
     * {@value #WARM_UP_ROUNDS} rounds of a program's calls, with up to {@value #WARM_UP_SIGNATURES} real
     * signatures while they fit {@link #WARM_UP_SIGNING_BUDGET}, each counted at the fastest one's time
     * (0.5-0.7 s on a quiet swtpm; a hardware TPM stops at the budget; a busy machine's stalls and the first,
     * interpreted signatures do not spend it). {@code tpmauth pkcs11 serve} runs it once it listens;
     * programs may connect meanwhile. A call that fails (a TPM that refuses the key, for one) stops the
     * warm-up, never the service, and is logged; closing the server ends it too.
     */
    public Optional<WarmUp.Result> warmUp() {
        return warmUp(WARM_UP_ROUNDS, WARM_UP_SIGNATURES, WARM_UP_SIGNING_BUDGET);
    }

    Optional<WarmUp.Result> warmUp(int rounds, int maxSignatures, Duration signingBudget) {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(channel));
            OutputStream out = Channels.newOutputStream(channel);
            out.write(PROTOCOL_VERSION);
            if (in.read() != PROTOCOL_VERSION) {
                throw new IOException("the server did not answer the protocol version");
            }
            return Optional.of(WarmUp.run(token, request -> {
                out.write(request.encode());
                return RpcFrame.read(in);
            }, () -> !closing, rounds, maxSignatures, signingBudget));
        } catch (WarmUp.Stopped | IOException e) {
            if (!closing) {
                log.println("pkcs11: warm-up stopped: " + e.getMessage());
            }
            return Optional.empty();
        }
    }

    /** The response to one request body: the call's answer, or an error response with its CK_RV. */
    private RpcMessage answer(Application application, byte[] body, long id) throws RpcFormatException {
        RpcMessage request = RpcMessage.parse(body);
        RpcCall call = RpcCall.byId(request.callId());
        if (call == null || call == RpcCall.ERROR) {
            return error(Pkcs11.CKR_FUNCTION_NOT_SUPPORTED);
        }
        if (!call.request.equals(request.signature())) {
            throw new RpcFormatException(call.displayName() + " with signature '" + request.signature()
                    + "' instead of '" + call.request + "'");
        }
        try {
            return new RpcMessage(call.id, call.response, application.handle(call, request));
        } catch (Pkcs11Exception e) {
            if (e.rv != Pkcs11.CKR_FUNCTION_NOT_SUPPORTED) {
                log.println("pkcs11: connection " + id + ": " + call.displayName() + ": " + e.getMessage()
                        + " (CKR 0x" + Long.toHexString(e.rv) + ")");
            }
            return error(e.rv);
        } catch (RuntimeException e) { // a bug must not end the program's connection
            log.println("pkcs11: connection " + id + ": " + call.displayName() + " failed: " + e);
            return error(Pkcs11.CKR_GENERAL_ERROR);
        }
    }

    private static RpcMessage error(long rv) {
        return new RpcMessage(RpcCall.ERROR.id, RpcCall.ERROR.response, List.of(rv));
    }

    private static String peer(SocketChannel channel) {
        return LocalSockets.peerUser(channel).map(user -> " (" + user + ")").orElse("");
    }

    @Override
    public void close() throws IOException {
        closing = true;
        listener.close();
        for (SocketChannel c : connections) {
            c.close();
        }
        if (ownsSocket) {
            Files.deleteIfExists(socket);
        }
    }
}
