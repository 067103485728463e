package org.tpmauth.eap;

import java.io.IOException;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.tpmauth.eap.EapTlsConfig.TlsVersion;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * The peer's TLS client: checks the server's chain against the CA, authenticates with its own key, and
 * in TLS 1.3 waits for the server's commitment message (one application-data byte 0x00, RFC 9190 2.5).
 */
final class PeerTls extends TlsEndpoint {
    private final Client client;
    private boolean commitment;

    PeerTls(TlsIdentity identity, CertificateCheck serverCheck, EapTlsConfig config) {
        super(new TlsClientProtocol());
        this.client = new Client(crypto(), identity, serverCheck, config);
    }

    /** The ClientHello. */
    byte[] start() throws IOException {
        ((TlsClientProtocol) protocol()).connect(client);
        return drain();
    }

    @Override
    void afterInput() throws IOException {
        int available = protocol().getAvailableInputBytes();
        if (available == 0) {
            return;
        }
        byte[] data = new byte[available];
        protocol().readInput(data, 0, available);
        if (keys() == null || keys().version() != TlsVersion.TLS_1_3 || commitment || available != 1 || data[0] != 0) {
            throw new TlsFatalAlert(AlertDescription.unexpected_message,
                    "the server sent " + available + " bytes of application data; EAP-TLS allows only the TLS 1.3 "
                            + "commitment message (one byte 0x00)");
        }
        commitment = true;
    }

    /** The handshake completed and, in TLS 1.3, the server committed to ending it (no further TLS). */
    boolean done() {
        return keys() != null && (keys().version() == TlsVersion.TLS_1_2 || commitment);
    }

    private final class Client extends DefaultTlsClient {
        private final TlsIdentity identity;
        private final CertificateCheck serverCheck;
        private final EapTlsConfig config;

        Client(JcaTlsCrypto crypto, TlsIdentity identity, CertificateCheck serverCheck, EapTlsConfig config) {
            super(crypto);
            this.identity = identity;
            this.serverCheck = serverCheck;
            this.config = config;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return protocolVersions(config.versions());
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    serverCheck.validate(serverCertificate.getCertificate(), "the server's");
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                    return identity.signer(context, (JcaTlsCrypto) getCrypto(), request.getSupportedSignatureAlgorithms(),
                            request.getCertificateRequestContext());
                }
            };
        }

        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            handshakeComplete(EapTlsKeys.derive(context));
        }

        @Override
        public void notifyAlertReceived(short level, short description) {
            alertReceived(level, description);
        }
    }
}
