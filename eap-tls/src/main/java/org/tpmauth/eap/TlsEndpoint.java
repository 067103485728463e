package org.tpmauth.eap;

import java.io.IOException;
import java.util.Set;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsProtocol;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.tpmauth.eap.EapTlsConfig.TlsVersion;
import org.tpmauth.tls.bound.BoundTls;

/**
 * One side of the TLS connection inside EAP-TLS, on Bouncy Castle's non-blocking TLS API: whole TLS
 * messages (flights) go in with {@link #offer}, the answer comes out as bytes. The crypto is JCA with
 * the TPM2 provider installed, so a TPM key signs in the TPM.
 */
abstract sealed class TlsEndpoint permits PeerTls, AuthenticatorTls {
    private final TlsProtocol protocol;
    private EapTlsKeys keys;
    private String alertReceived;

    TlsEndpoint(TlsProtocol protocol) {
        this.protocol = protocol;
    }

    /** JCA crypto through the installed providers: TPM keys reach the TPM2 provider by their key class. */
    static JcaTlsCrypto crypto() {
        return BoundTls.crypto();
    }

    static ProtocolVersion[] protocolVersions(Set<TlsVersion> versions) {
        return versions.contains(TlsVersion.TLS_1_3)
                ? versions.contains(TlsVersion.TLS_1_2) ? ProtocolVersion.TLSv13.downTo(ProtocolVersion.TLSv12)
                        : new ProtocolVersion[] {ProtocolVersion.TLSv13}
                : new ProtocolVersion[] {ProtocolVersion.TLSv12};
    }

    /** Feeds one TLS message from the other side and returns what TLS answers (maybe nothing). */
    final byte[] offer(byte[] message) throws IOException {
        protocol.offerInput(message);
        afterInput();
        return drain();
    }

    /** Called after input was processed, before the output is collected. */
    abstract void afterInput() throws IOException;

    /** The bytes TLS has queued for the other side (an alert after a failure, for instance). */
    final byte[] drain() {
        byte[] out = new byte[protocol.getAvailableOutputBytes()];
        protocol.readOutput(out, 0, out.length);
        return out;
    }

    final TlsProtocol protocol() {
        return protocol;
    }

    /** The keys, once the handshake completed; else null. */
    final EapTlsKeys keys() {
        return keys;
    }

    final void handshakeComplete(EapTlsKeys derived) {
        keys = derived;
    }

    /** A TLS failure for people: the alert, and what caused it when TLS says only "internal_error". */
    static String describe(Exception e) {
        String message = String.valueOf(e.getMessage());
        Throwable cause = e.getCause();
        return cause == null || message.contains(String.valueOf(cause.getMessage())) ? message
                : message + " (" + cause.getMessage() + ")";
    }

    /** The fatal alert the other side sent, as text, or null. */
    final String alertReceived() {
        return alertReceived;
    }

    /** Keeps a fatal alert from the other side, for the failure reason. */
    final void alertReceived(short level, short description) {
        if (level == AlertLevel.fatal) {
            alertReceived = AlertDescription.getText(description);
        }
    }
}
