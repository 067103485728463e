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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tpmauth.tls.bound.BoundConnection;
import org.tpmauth.tls.bound.BoundTls;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * Terminates TLS in front of a server: each connection's handshake runs on Bouncy Castle's low-level
 * protocol, which is where the tls-exporter value can be had, and then the connection goes to a
 * {@link Service} in the front end's thread for it. Either the service reads the decrypted stream itself
 * (the attestation service's HTTP), or the front end relays the bytes to a server bound to loopback (the
 * MQTT broker): the relay of each connection connects from an address of its own in 127.0.0.0/8 (Linux
 * routes the whole block to the loopback interface), so the server finds the connection's exporter and
 * client chain by the client address it sees ({@link #connection}), even where it learns no port (a
 * HiveMQ extension).
 */
public final class TlsFrontend implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TlsFrontend.class.getName());
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 15_000;

    /** What a handler may know about the TLS connection its request came on. */
    public record Peer(byte[] exporter, List<X509Certificate> chain) {
    }

    /** What serves a connection whose handshake passed, in the front end's thread for that connection. */
    public interface Service {
        /** Serves {@code tls} until it ends; {@code peer} is what the handshake established. */
        void serve(BoundConnection tls, Peer peer) throws IOException;
    }

    private final ServerSocket listener;
    private final Service service;
    private final TlsIdentity identity;
    private final CertificateCheck clientCheck;
    private final BoundTls.ClientAuth clientAuth;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "attest-tls");
        t.setDaemon(true);
        return t;
    });
    private final Map<InetAddress, Peer> peers = new ConcurrentHashMap<>();
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextRelay = new AtomicInteger();

    /**
     * Listens on {@code bind} and relays to {@code backend}; with {@link BoundTls.ClientAuth#OPTIONAL} a
     * client without a certificate gets through (its peer chain is empty).
     */
    public TlsFrontend(InetSocketAddress bind, InetSocketAddress backend, TlsIdentity identity,
            CertificateCheck clientCheck, BoundTls.ClientAuth clientAuth) throws IOException {
        this(bind, identity, clientCheck, clientAuth, front -> (tls, peer) -> front.relay(tls, peer, backend));
    }

    /** Listens on {@code bind} and hands each connection, once its handshake passed, to {@code service}. */
    public TlsFrontend(InetSocketAddress bind, Service service, TlsIdentity identity, CertificateCheck clientCheck,
            BoundTls.ClientAuth clientAuth) throws IOException {
        this(bind, identity, clientCheck, clientAuth, front -> service);
    }

    private TlsFrontend(InetSocketAddress bind, TlsIdentity identity, CertificateCheck clientCheck,
            BoundTls.ClientAuth clientAuth, Function<TlsFrontend, Service> service) throws IOException {
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(bind, 256);
        this.identity = identity;
        this.clientCheck = clientCheck;
        this.clientAuth = clientAuth;
        this.service = service.apply(this);
        threads.execute(this::acceptLoop);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The TLS connection whose relay connected to the server from {@code relayAddress}, or null. */
    public Peer connection(InetAddress relayAddress) {
        return peers.get(relayAddress);
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
                tls = BoundTls.accept(socket, identity, clientCheck, clientAuth);
            } catch (IOException e) {
                LOG.log(Level.FINE, "TLS handshake with " + socket.getRemoteSocketAddress() + " failed: " + e.getMessage());
                return;
            }
            socket.setSoTimeout(0);
            open.add(tls);
            try (tls) {
                service.serve(tls, new Peer(tls.exporter(), tls.peerChain()));
            } finally {
                open.remove(tls);
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "connection ended: " + e.getMessage());
        }
    }

    /** Relays {@code tls} to {@code backend} from an address that names {@code peer} while the relay lasts. */
    private void relay(BoundConnection tls, Peer peer, InetSocketAddress backend) throws IOException {
        try (Socket relay = new Socket()) {
            relay.setTcpNoDelay(true);
            InetAddress from = claimRelayAddress(peer);
            try {
                relay.bind(new InetSocketAddress(from, 0));
                relay.connect(backend);
                threads.execute(() -> pump(relay, tls.out(), tls));
                pump(tls.in(), relay.getOutputStream(), relay);
            } finally {
                peers.remove(from);
            }
        }
    }

    /** A 127.a.b.c address no live relay uses, registered for {@code peer} before the relay connects from it. */
    private InetAddress claimRelayAddress(Peer peer) throws IOException {
        while (true) {
            // 127.1.0.1 to 127.254.255.254, skipping .0 and .255 ends: 16 million relays before a wrap
            int n = Math.floorMod(nextRelay.getAndIncrement(), 254 * 256 * 254);
            byte[] a = {127, (byte) (1 + n / (256 * 254)), (byte) (n / 254 % 256), (byte) (1 + n % 254)};
            InetAddress address = InetAddress.getByAddress(a);
            if (peers.putIfAbsent(address, peer) == null) {
                return address;
            }
        }
    }

    /** Copies the server's answers to the TLS client; when the server closes, the TLS connection ends too. */
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
        for (Closeable c : open) {
            try {
                c.close();
            } catch (IOException e) {
                // closing everything anyway
            }
        }
        threads.shutdownNow();
    }
}
