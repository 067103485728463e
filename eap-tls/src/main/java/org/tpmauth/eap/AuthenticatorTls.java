package org.tpmauth.eap;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.util.Arrays;
import org.tpmauth.eap.EapTlsConfig.TlsVersion;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * The authenticator's TLS server: requires a client certificate from a trusted CA, asks the
 * {@link PeerPolicy}, and in TLS 1.3 sends the commitment message (0x00) after the handshake
 * (RFC 9190 2.5). Only cipher suites that fit its own key are offered in TLS 1.2.
 */
final class AuthenticatorTls extends TlsEndpoint {
    private List<X509Certificate> peerChain;
    private boolean committed;

    AuthenticatorTls(TlsIdentity identity, CertificateCheck peerCheck, EapTlsConfig config, String peerIdentity,
            PeerPolicy policy) throws IOException {
        super(new TlsServerProtocol());
        ((TlsServerProtocol) protocol()).accept(new Server(crypto(), identity, peerCheck, config, peerIdentity, policy));
    }

    @Override
    void afterInput() throws IOException {
        if (protocol().getAvailableInputBytes() > 0) {
            throw new TlsFatalAlert(AlertDescription.unexpected_message, "the peer sent application data");
        }
        if (keys() != null && keys().version() == TlsVersion.TLS_1_3 && !committed) {
            protocol().writeApplicationData(new byte[] {0}, 0, 1);
            committed = true;
        }
    }

    /** The handshake completed (TLS 1.3: the commitment is queued too). */
    boolean done() {
        return keys() != null;
    }

    /** The peer's validated certificate chain, leaf first, after its Certificate message. */
    List<X509Certificate> peerChain() {
        return peerChain;
    }

    private final class Server extends DefaultTlsServer {
        private final TlsIdentity identity;
        private final CertificateCheck peerCheck;
        private final EapTlsConfig config;
        private final String peerIdentity;
        private final PeerPolicy policy;

        Server(JcaTlsCrypto crypto, TlsIdentity identity, CertificateCheck peerCheck, EapTlsConfig config,
                String peerIdentity, PeerPolicy policy) {
            super(crypto);
            this.identity = identity;
            this.peerCheck = peerCheck;
            this.config = config;
            this.peerIdentity = peerIdentity;
            this.policy = policy;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return protocolVersions(config.versions());
        }

        /** TLS 1.3 suites, and the TLS 1.2 suites whose authentication our key can do. */
        @Override
        protected int[] getSupportedCipherSuites() {
            int[] tls12 = identity.isEc() ? new int[] {CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}
                : new int[] {CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                    CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256};
            int[] tls13 = {CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
                CipherSuite.TLS_AES_128_GCM_SHA256};
            return TlsUtils.getSupportedCipherSuites(getCrypto(), Arrays.concatenate(tls13, tls12));
        }

        @Override
        public TlsCredentials getCredentials() throws IOException {
            return identity.serverSigner(context, (JcaTlsCrypto) getCrypto());
        }

        @Override
        public CertificateRequest getCertificateRequest() throws IOException {
            Vector<Object> authorities = peerCheck.authorities();
            Vector<?> schemes = TlsUtils.getDefaultSupportedSignatureAlgorithms(context);
            if (TlsUtils.isTLSv13(context)) {
                return new CertificateRequest(TlsUtils.EMPTY_BYTES, schemes, null, authorities);
            }
            return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                    schemes, authorities);
        }

        @Override
        public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
            List<X509Certificate> chain = peerCheck.validate(clientCertificate, "the peer's");
            String refusal = policy.refusal(peerIdentity, chain);
            if (refusal != null) {
                throw new TlsFatalAlert(AlertDescription.access_denied, "peer refused: " + refusal);
            }
            peerChain = chain;
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
