package org.tpmauth.pkcs11;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A benchmark's view of a p11-kit RPC route: a Unix socket between p11-kit's client module and a server
 * (tpmauth's, or {@code p11-kit server} in front of another module) that passes every frame on and records
 * each call's name and the time from the request leaving here to the answer coming back, i.e. the server's
 * latency per call, the socket included. The protocol is strictly one request, one answer, so one thread
 * per connection does it. Close it to stop listening; it never changes a byte.
 */
final class RpcTap implements AutoCloseable {
    private final ServerSocketChannel listener;
    private final Path socket;
    private final Path server;
    private final Map<String, List<Long>> nanosByCall = new TreeMap<>();
    private final Thread acceptor;

    private RpcTap(ServerSocketChannel listener, Path socket, Path server) {
        this.listener = listener;
        this.socket = socket;
        this.server = server;
        this.acceptor = new Thread(this::acceptLoop, "rpc-tap");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Listens on {@code socket}, passing every connection on to the server at {@code server}. */
    static RpcTap start(Path socket, Path server) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        return new RpcTap(listener, socket, server);
    }

    Path socket() {
        return socket;
    }

    /** The recorded calls so far, by name, each call's server latency in nanoseconds; clears the record. */
    synchronized Map<String, List<Long>> drain() {
        Map<String, List<Long>> calls = new TreeMap<>(nanosByCall);
        nanosByCall.clear();
        return calls;
    }

    private synchronized void record(String call, long nanos) {
        nanosByCall.computeIfAbsent(call, k -> new ArrayList<>()).add(nanos);
    }

    private void acceptLoop() {
        while (listener.isOpen()) {
            try {
                SocketChannel client = listener.accept();
                Thread t = new Thread(() -> relay(client), "rpc-tap-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void relay(SocketChannel client) {
        try (client; SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(server))) {
            InputStream fromClient = new BufferedInputStream(Channels.newInputStream(client));
            OutputStream toClient = Channels.newOutputStream(client);
            InputStream fromServer = new BufferedInputStream(Channels.newInputStream(upstream));
            OutputStream toServer = Channels.newOutputStream(upstream);
            int version = fromClient.read(); // the version byte each side sends first
            if (version < 0) {
                return;
            }
            toServer.write(version);
            toClient.write(fromServer.read());
            for (RpcFrame request; (request = RpcFrame.read(fromClient)) != null; ) {
                RpcCall call = RpcCall.byId(RpcMessage.parse(request.body()).callId());
                long start = System.nanoTime();
                request.write(toServer);
                RpcFrame answer = RpcFrame.read(fromServer);
                long nanos = System.nanoTime() - start;
                if (answer == null) {
                    return;
                }
                record(call == null ? "unknown" : call.displayName(), nanos);
                answer.write(toClient);
            }
        } catch (IOException | RpcFormatException e) {
            // the client went away; the benchmark checks its own results
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        Files.deleteIfExists(socket);
    }
}
