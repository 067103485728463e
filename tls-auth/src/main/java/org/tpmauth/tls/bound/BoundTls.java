package org.tpmauth.tls.bound;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ChannelBinding;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;
import org.tpmauth.tls.TpmKeyRouting;
import org.tpmauth.tls.TpmProvider;

/**
 * Blocking TLS 1.3 on Bouncy Castle's low-level protocol classes, for connections whose tls-exporter
 * value is needed afterwards. Bouncy Castle's JSSE clears the exporter secret when the handshake ends
 * and the JDK's JSSE has no exporter at all, so this is the way to obtain it: inside
 * {@code notifyHandshakeComplete()}. Keys are {@link TlsIdentity}s, so a TPM key signs in the TPM.
 */
public final class BoundTls {
    /** Whether the server requires, accepts or does not ask for a client certificate. */
    public enum ClientAuth { REQUIRED, OPTIONAL }

    /**
     * AES-GCM before ChaCha20-Poly1305 (Bouncy Castle's default order is the other way round): through the
     * JDK, AES-GCM runs on the processor's AES and carry-less multiply instructions, where ChaCha20-Poly1305
     * comes from Bouncy Castle's Java code, several times slower for a megabyte of evidence.
     */
    private static final int[] PREFERRED_CIPHER_SUITES = {CipherSuite.TLS_AES_128_GCM_SHA256,
        CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256};

    private static final JcaTlsCryptoProvider CRYPTO = cryptoProvider();
    /** Several full records (16 KiB of content each) per read from the socket. */
    private static final int RECEIVE_BUFFER = 64 * 1024;

    private BoundTls() {
    }

    /**
     * Runs the client handshake on {@code socket}.
     *
     * @param identity    our certificate and key, or null to authenticate with none
     * @param serverCheck the CAs the server's certificate must chain to
     */
    public static BoundConnection connect(Socket socket, TlsIdentity identity, CertificateCheck serverCheck)
            throws IOException {
        TlsClientProtocol protocol = new TlsClientProtocol(received(socket), socket.getOutputStream());
        Captured captured = new Captured();
        protocol.connect(new DefaultTlsClient(crypto()) {
            @Override
            protected ProtocolVersion[] getSupportedVersions() {
                return ProtocolVersion.TLSv13.only();
            }

            @Override
            protected int[] getSupportedCipherSuites() {
                return TlsUtils.getSupportedCipherSuites(getCrypto(), PREFERRED_CIPHER_SUITES);
            }

            @Override
            public TlsAuthentication getAuthentication() {
                return new TlsAuthentication() {
                    @Override
                    public void notifyServerCertificate(TlsServerCertificate certificate) throws IOException {
                        captured.peerChain = serverCheck.validate(certificate.getCertificate(), "the server's");
                    }

                    @Override
                    public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                        return identity == null ? null : identity.signer(context, (JcaTlsCrypto) getCrypto(),
                                request.getSupportedSignatureAlgorithms(), request.getCertificateRequestContext());
                    }
                };
            }

            @Override
            public void notifyHandshakeComplete() throws IOException {
                super.notifyHandshakeComplete();
                captured.capture(context);
            }
        });
        return new BoundConnection(socket, protocol, captured.exporter, captured.peerChain);
    }

    /**
     * Runs the server handshake on an accepted {@code socket}; with {@link ClientAuth#OPTIONAL} a client
     * without a certificate is let in (its {@link BoundConnection#peerChain()} is empty), but a
     * certificate it sends must chain to {@code clientCheck}.
     */
    public static BoundConnection accept(Socket socket, TlsIdentity identity, CertificateCheck clientCheck,
            ClientAuth clientAuth) throws IOException {
        TlsServerProtocol protocol = new TlsServerProtocol(received(socket), socket.getOutputStream());
        Captured captured = new Captured();
        protocol.accept(new DefaultTlsServer(crypto()) {
            @Override
            protected ProtocolVersion[] getSupportedVersions() {
                return ProtocolVersion.TLSv13.only();
            }

            @Override
            protected int[] getSupportedCipherSuites() {
                return TlsUtils.getSupportedCipherSuites(getCrypto(), PREFERRED_CIPHER_SUITES);
            }

            @Override
            protected boolean preferLocalCipherSuites() {
                return true;
            }

            @Override
            public TlsCredentials getCredentials() throws IOException {
                return identity.serverSigner(context, (JcaTlsCrypto) getCrypto());
            }

            @Override
            public CertificateRequest getCertificateRequest() throws IOException {
                return new CertificateRequest(TlsUtils.EMPTY_BYTES, TlsUtils.getDefaultSupportedSignatureAlgorithms(context),
                        null, clientCheck.authorities());
            }

            @Override
            public void notifyClientCertificate(Certificate certificate) throws IOException {
                if (certificate == null || certificate.isEmpty()) {
                    if (clientAuth == ClientAuth.REQUIRED) {
                        throw new TlsFatalAlert(AlertDescription.certificate_required, "the client sent no certificate");
                    }
                    return;
                }
                captured.peerChain = clientCheck.validate(certificate, "the client's");
            }

            @Override
            public void notifyHandshakeComplete() throws IOException {
                super.notifyHandshakeComplete();
                captured.capture(context);
            }
        });
        return new BoundConnection(socket, protocol, captured.exporter, captured.peerChain);
    }

    /**
     * The socket's input, buffered: Bouncy Castle reads each record's 5-byte header and then its body, two
     * system calls per record unbuffered (about 140 for a renewal's megabyte); a buffer takes whatever the
     * socket holds at once and never waits for more than the protocol asked for.
     */
    private static InputStream received(Socket socket) throws IOException {
        return new BufferedInputStream(socket.getInputStream(), RECEIVE_BUFFER);
    }

    /**
     * JCA crypto through the installed providers (AES-GCM and hashes from the JDK), EC signatures and their
     * checks and the X25519 key share on Bouncy Castle (faster than JDK 17's SunEC: the handshake's
     * CertificateVerify made and checked, the ECDHE), TPM keys signing in TPM2 ({@link TpmKeyRouting}).
     */
    public static JcaTlsCrypto crypto() {
        return CRYPTO.create(new SecureRandom());
    }

    private static JcaTlsCryptoProvider cryptoProvider() {
        Provider tpm2 = TpmProvider.install(); // installs Bouncy Castle too where it is missing
        return TpmKeyRouting.ecSignaturesOn(Security.getProvider(BouncyCastleProvider.PROVIDER_NAME), tpm2);
    }

    /** What the handshake callbacks learn, for the connection object made after it. */
    private static final class Captured {
        private byte[] exporter;
        private List<X509Certificate> peerChain = List.of();

        void capture(TlsContext context) {
            exporter = context.exportChannelBinding(ChannelBinding.tls_exporter);
        }
    }
}
