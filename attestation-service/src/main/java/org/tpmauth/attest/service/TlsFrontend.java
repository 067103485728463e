package org.tpmauth.attest.service;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tpmauth.tls.bound.BoundConnection;
import org.tpmauth.tls.bound.BoundTls;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * Terminates TLS in front of the JDK's HTTP server (bound to loopback): each connection's handshake
 * runs on Bouncy Castle's low-level protocol, which is where the tls-exporter value can be had, and
 * then its bytes are relayed to the HTTP server. The handler finds the connection's exporter and client
 * chain by the port the relay connects from ({@link #connection}).
 */
final class TlsFrontend implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TlsFrontend.class.getName());
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 15_000;

    /** What a handler may know about the TLS connection its request came on. */
    record Peer(byte[] exporter, List<X509Certificate> chain) {
    }

    private final ServerSocket listener;
    private final InetSocketAddress backend;
    private final TlsIdentity identity;
    private final CertificateCheck clientCheck;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "attest-tls");
        t.setDaemon(true);
        return t;
    });
    private final Map<Integer, Peer> peers = new ConcurrentHashMap<>();

    TlsFrontend(InetSocketAddress bind, InetSocketAddress backend, TlsIdentity identity, CertificateCheck clientCheck)
            throws IOException {
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(bind, 256);
        this.backend = backend;
        this.identity = identity;
        this.clientCheck = clientCheck;
        threads.execute(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The TLS connection whose relay connected to the HTTP server from {@code relayPort}, or null. */
    Peer connection(int relayPort) {
        return peers.get(relayPort);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    LOG.log(Level.WARNING, "accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            BoundConnection tls;
            try {
                tls = BoundTls.accept(socket, identity, clientCheck, BoundTls.ClientAuth.OPTIONAL);
            } catch (IOException e) {
                LOG.log(Level.FINE, "TLS handshake with " + socket.getRemoteSocketAddress() + " failed: " + e.getMessage());
                return;
            }
            socket.setSoTimeout(0);
            try (tls; Socket relay = new Socket()) {
                relay.setTcpNoDelay(true);
                relay.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                int port = relay.getLocalPort();
                peers.put(port, new Peer(tls.exporter(), tls.peerChain()));
                try {
                    relay.connect(backend);
                    threads.execute(() -> pump(relay, tls.out(), tls));
                    pump(tls.in(), relay.getOutputStream(), relay);
                } finally {
                    peers.remove(port);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "connection ended: " + e.getMessage());
        }
    }

    /** Copies the HTTP server's answers to the TLS client; when the server closes, the TLS connection ends too. */
    private static void pump(Socket relay, OutputStream out, Closeable closeOnEnd) {
        try {
            pump(relay.getInputStream(), out, closeOnEnd);
        } catch (IOException e) {
            LOG.log(Level.FINE, "relay ended: " + e.getMessage());
        }
    }

    private static void pump(InputStream in, OutputStream out, Closeable closeOnEnd) throws IOException {
        byte[] buffer = new byte[16384];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (SocketException e) {
            // the other direction closed the relay
        } finally {
            closeOnEnd.close();
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        threads.shutdownNow();
    }
}
