package org.tpmauth.vpn.openvpn;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channel;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.vpn.openvpn.ManagementMessage.BadSignRequest;
import org.tpmauth.vpn.openvpn.ManagementMessage.Hold;
import org.tpmauth.vpn.openvpn.ManagementMessage.Malformed;
import org.tpmauth.vpn.openvpn.ManagementMessage.NeedCertificate;
import org.tpmauth.vpn.openvpn.ManagementMessage.Notification;
import org.tpmauth.vpn.openvpn.ManagementMessage.Other;
import org.tpmauth.vpn.openvpn.ManagementMessage.PasswordPrompt;
import org.tpmauth.vpn.openvpn.ManagementMessage.PkSign;
import org.tpmauth.vpn.openvpn.ManagementMessage.Success;

/**
 * OpenVPN's external key, served from a TPM. It talks to OpenVPN's management interface, connecting to it
 * (OpenVPN's {@code --management HOST PORT}) or, with {@code listen}, waiting for OpenVPN to connect
 * ({@code --management-client}); after OpenVPN restarts it connects (or waits) again. Per connection it
 * gives the management password when asked, announces {@code version 3} (and {@code state on}), releases a
 * hold, answers {@code >NEED-CERTIFICATE} with the certificate chain in PEM and {@code >PK_SIGN} with a TPM
 * signature.
 * A request it cannot sign is answered with an empty {@code pk-sig}, so OpenVPN fails that handshake at
 * once; the reason goes to the log. Lines it does not understand are logged and skipped.
 *
 * <p>{@link #run()} serves until {@link #close()}; one connection at a time, as OpenVPN has one.
 */
public final class OpenVpnBackend implements Runnable, AutoCloseable {
    private static final long FIRST_RETRY_MILLIS = 100;
    private static final long MAX_RETRY_MILLIS = 2000;
    private static final int LOGGED_CHARS = 500;

    private final ManagementEndpoint endpoint;
    private final boolean listen;
    private final PkSigner signer;
    private final String certificatePem;
    private final String subject;
    private final byte[] managementPassword;
    private final Consumer<String> log;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger signatures = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile SocketChannel current;
    private volatile ServerSocketChannel server;

    /**
     * @param endpoint           OpenVPN's management address, or ours with {@code listen}
     * @param listen             wait for OpenVPN's {@code --management-client} connection instead of connecting
     * @param key                the TPM key
     * @param chain              its certificate first, then any intermediate CAs to send along
     * @param managementPassword the management interface's password, or null when it has none
     * @param log                where one-line events go (connections, signatures, OpenVPN's messages)
     * @throws Certificates.KeyMismatchException when the key is not the certificate's
     */
    public OpenVpnBackend(ManagementEndpoint endpoint, boolean listen, TpmPrivateKey key, List<X509Certificate> chain,
            byte[] managementPassword, Consumer<String> log) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no certificate for the key");
        }
        Certificates.requireMatch("openvpn", key.publicKey(), chain.get(0));
        if (managementPassword != null) {
            for (byte b : managementPassword) {
                if (b == '\n' || b == '\r') {
                    throw new IllegalArgumentException("the management password must be one line");
                }
            }
        }
        this.endpoint = endpoint;
        this.listen = listen;
        this.signer = new PkSigner(key);
        this.certificatePem = pem(chain);
        this.subject = chain.get(0).getSubjectX500Principal().getName();
        this.managementPassword = managementPassword == null ? null : managementPassword.clone();
        this.log = line -> log.accept(printable(line));
    }

    /**
     * Serves OpenVPN until {@link #close()}.
     *
     * @throws UncheckedIOException when it cannot listen (with {@code listen}): the address is taken, or no access
     */
    @Override
    public void run() {
        try {
            if (listen) {
                serveListening();
            } else {
                serveConnecting();
            }
        } finally {
            closeServer();
            log.accept("stopped");
        }
    }

    /** Stops serving: closes the connection and the listening socket; {@link #run()} returns. */
    @Override
    public void close() {
        stopped.countDown();
        closeQuietly(current);
        closeServer();
    }

    /** How many signatures were sent. */
    public int signatures() {
        return signatures.get();
    }

    /** How many management connections were served (OpenVPN restarts add one each). */
    public int connections() {
        return connections.get();
    }

    private boolean running() {
        return stopped.getCount() > 0;
    }

    private void serveConnecting() {
        long retry = FIRST_RETRY_MILLIS;
        boolean failing = false; // report a failure once, not at every retry
        while (running()) {
            try (SocketChannel channel = endpoint.connect()) {
                if (!failing) {
                    log.accept("connected to OpenVPN's management interface at " + endpoint);
                }
                String refusal = serve(channel);
                if (refusal == null) {
                    retry = FIRST_RETRY_MILLIS;
                    failing = false;
                    if (running()) {
                        log.accept("OpenVPN closed the management connection; reconnecting");
                    }
                } else if (!failing) {
                    log.accept(refusal + "; retrying");
                    failing = true;
                }
            } catch (IOException e) {
                if (running() && !failing) {
                    log.accept("cannot reach OpenVPN's management interface at " + endpoint + " (" + e.getMessage()
                            + "); retrying until it is up");
                    failing = true;
                }
            }
            pause(retry);
            retry = Math.min(2 * retry, MAX_RETRY_MILLIS);
        }
    }

    private void serveListening() {
        try {
            server = endpoint.listen();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + endpoint + ": " + e.getMessage(), e);
        }
        if (!running()) {
            return;
        }
        log.accept("waiting for OpenVPN (--management-client) on " + endpoint);
        while (running()) {
            try (SocketChannel channel = server.accept()) {
                log.accept("OpenVPN connected");
                String refusal = serve(channel);
                if (refusal != null) {
                    log.accept(refusal);
                } else if (running()) {
                    log.accept("OpenVPN closed the management connection; waiting for it again");
                }
            } catch (ClosedChannelException e) {
                return; // close()
            } catch (IOException e) {
                if (running()) {
                    log.accept("management connection failed: " + e.getMessage());
                    pause(FIRST_RETRY_MILLIS);
                }
            }
        }
    }

    /**
     * One management connection, from OpenVPN's greeting to its end.
     *
     * @return null, or why the management interface did not let us in
     */
    private String serve(SocketChannel channel) throws IOException {
        current = channel;
        if (!running()) {
            return null;
        }
        connections.incrementAndGet();
        ManagementReader reader = new ManagementReader(new BufferedInputStream(Channels.newInputStream(channel)));
        OutputStream out = Channels.newOutputStream(channel);
        boolean versionSent = false;
        boolean passwordSent = false;
        for (ManagementMessage m; (m = reader.next()) != null; ) {
            if (m instanceof PasswordPrompt) {
                if (managementPassword == null) {
                    return "OpenVPN's management interface asks for a password: give it (--management-password-file)";
                }
                if (passwordSent) { // OpenVPN asks again instead of saying that it was wrong
                    return "OpenVPN refused the management password: check --management-password-file";
                }
                send(out, managementPassword);
                passwordSent = true;
            } else if (m instanceof Notification n) {
                log.accept("OpenVPN " + n.type() + ": " + n.text());
                if (n.type().equals("INFO") && !versionSent) {
                    versionSent = sendVersion(out);
                }
            } else if (m instanceof Success s) {
                log.accept("OpenVPN: SUCCESS: " + s.text());
                if (s.text().startsWith("password is correct") && !versionSent) {
                    versionSent = sendVersion(out);
                }
            } else if (m instanceof ManagementMessage.Error e) {
                log.accept("OpenVPN: ERROR: " + e.text());
            } else if (m instanceof Hold h) {
                log.accept("OpenVPN HOLD: " + h.text() + "; releasing it");
                if (!versionSent) {
                    versionSent = sendVersion(out);
                }
                send(out, "hold release");
            } else if (m instanceof NeedCertificate c) {
                send(out, "certificate\n" + certificatePem + "END");
                log.accept("sent the certificate " + subject + " (hint " + c.hint() + ")");
            } else if (m instanceof PkSign request) {
                answer(out, request);
            } else if (m instanceof BadSignRequest bad) {
                refuse(out, "unreadable signature request (" + bad.reason() + "): " + bad.line());
            } else if (m instanceof Malformed bad) {
                log.accept("skipped a malformed line (" + bad.reason() + "): " + bad.line());
            } else if (m instanceof Other other) {
                log.accept("OpenVPN: " + other.line());
            }
        }
        return null;
    }

    /** Management version 3 (PK_SIGN names its algorithm), and state changes as >STATE lines for the log. */
    private boolean sendVersion(OutputStream out) throws IOException {
        send(out, "version 3\nstate on");
        return true;
    }

    private void answer(OutputStream out, PkSign request) throws IOException {
        long start = System.nanoTime();
        byte[] signature;
        try {
            signature = signer.sign(request.data(), request.algorithm());
        } catch (SignatureException | RuntimeException e) {
            refuse(out, "cannot sign " + request.algorithm() + ": " + e.getMessage());
            return;
        }
        send(out, "pk-sig\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(signature) + "\nEND");
        signatures.incrementAndGet();
        log.accept(String.format("signed %s in %.1f ms", request, (System.nanoTime() - start) / 1e6));
    }

    /** An empty pk-sig: OpenVPN's signature fails, and with it this TLS handshake. */
    private void refuse(OutputStream out, String reason) throws IOException {
        log.accept(reason + "; refused, so OpenVPN fails this handshake");
        send(out, "pk-sig\nEND");
    }

    private void send(OutputStream out, String lines) throws IOException {
        send(out, lines.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(OutputStream out, byte[] line) throws IOException {
        byte[] data = Arrays.copyOf(line, line.length + 1);
        data[line.length] = '\n';
        out.write(data);
        out.flush();
        Arrays.fill(data, (byte) 0);
    }

    private void pause(long millis) {
        try {
            stopped.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
        }
    }

    private void closeServer() {
        ServerSocketChannel s = server;
        if (s != null) {
            closeQuietly(s);
            if (endpoint instanceof ManagementEndpoint.Unix unix) {
                try {
                    Files.deleteIfExists(unix.path());
                } catch (IOException e) {
                    log.accept("cannot remove " + unix.path() + ": " + e.getMessage());
                }
            }
        }
    }

    private static void closeQuietly(Channel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private static String pem(List<X509Certificate> chain) {
        StringBuilder pem = new StringBuilder();
        Base64.Encoder encoder = Base64.getMimeEncoder(64, new byte[] {'\n'});
        for (X509Certificate c : chain) {
            try {
                pem.append("-----BEGIN CERTIFICATE-----\n").append(encoder.encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("cannot encode the certificate " + c.getSubjectX500Principal(), e);
            }
        }
        return pem.toString();
    }

    /** Makes OpenVPN's text safe for a log line: no control characters, bounded length. */
    static String printable(String text) {
        StringBuilder s = new StringBuilder(Math.min(text.length(), LOGGED_CHARS));
        for (int i = 0; i < text.length() && s.length() < LOGGED_CHARS; i++) {
            char c = text.charAt(i);
            s.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return text.length() > LOGGED_CHARS ? s.append("...").toString() : s.toString();
    }
}
