package org.tpmauth.tls.bound;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.tls.TlsProtocol;

/**
 * An established TLS 1.3 connection whose RFC 9266 "tls-exporter" channel binding was captured when
 * the handshake completed (the only moment Bouncy Castle offers it). {@link #exporter()} is the same
 * 32 bytes on both ends and differs on every other connection, which is what binds evidence to it.
 */
public final class BoundConnection implements java.io.Closeable {
    private final Socket socket;
    private final TlsProtocol protocol;
    private final byte[] exporter;
    private final List<X509Certificate> peerChain;

    BoundConnection(Socket socket, TlsProtocol protocol, byte[] exporter, List<X509Certificate> peerChain) {
        this.socket = socket;
        this.protocol = protocol;
        this.exporter = exporter.clone();
        this.peerChain = List.copyOf(peerChain);
    }

    /** The tls-exporter channel binding (32 bytes). */
    public byte[] exporter() {
        return exporter.clone();
    }

    /** The other side's validated certificate chain, leaf first; empty when it sent none. */
    public List<X509Certificate> peerChain() {
        return peerChain;
    }

    public InputStream in() {
        return protocol.getInputStream();
    }

    public OutputStream out() {
        return protocol.getOutputStream();
    }

    /** The underlying socket (its addresses, timeouts). */
    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        try {
            protocol.close();
        } finally {
            socket.close();
        }
    }
}
