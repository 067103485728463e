package org.tpmauth.eap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Consumer;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * The EAP authenticator with an integrated EAP-TLS server, as a state machine over EAP packets:
 * {@link #start} gives the first request (Identity), each response goes into {@link #receive}, which
 * returns the next request, or EAP-Success / EAP-Failure when it is over. The server key may be in
 * software or in a TPM; peers need a certificate chain to one of the CA certificates and the
 * {@link PeerPolicy}'s consent. Malformed, unexpected or out-of-order responses end in EAP-Failure with
 * the reason in {@link #result()}. Not thread-safe.
 */
public final class EapTlsAuthenticator {
    /** How often {@link #retransmit} sends the outstanding request again before giving up. */
    public static final int MAX_RETRANSMISSIONS = 3;

    private final TlsIdentity credentials;
    private final CertificateCheck peerCheck;
    private final EapTlsConfig config;
    private final PeerPolicy policy;
    private final FragmentExchange exchange;
    private Consumer<String> steps = step -> { };
    private int identifier = new SecureRandom().nextInt(256);
    private String peerIdentity;
    private AuthenticatorTls tls;
    private String tlsFailure;
    private byte[] outstanding;
    private int retransmissions;
    private EapResult result = EapResult.PENDING;

    public EapTlsAuthenticator(TlsIdentity credentials, List<X509Certificate> caCertificates, EapTlsConfig config,
            PeerPolicy policy) {
        this.credentials = credentials;
        this.peerCheck = new CertificateCheck(caCertificates);
        this.config = config;
        this.policy = policy;
        this.exchange = new FragmentExchange(config);
    }

    /** Receives a line per step; for the CLI's report. */
    public EapTlsAuthenticator onStep(Consumer<String> listener) {
        this.steps = listener;
        return this;
    }

    public EapResult result() {
        return result;
    }

    /** The identity the peer gave, or null before its Identity response. */
    public String peerIdentity() {
        return peerIdentity;
    }

    /** The first request: EAP-Request/Identity. */
    public byte[] start() {
        return send(EapPacket.request(identifier, EapPacket.TYPE_IDENTITY, new byte[0]));
    }

    /**
     * The outstanding request again, after the transport's timeout; after {@value #MAX_RETRANSMISSIONS}
     * retransmissions, EAP-Failure and a failed result.
     */
    public byte[] retransmit() {
        if (result.done()) {
            throw new IllegalStateException("the authentication is over");
        }
        if (++retransmissions > MAX_RETRANSMISSIONS) {
            return failure("the peer did not answer after " + MAX_RETRANSMISSIONS + " retransmissions");
        }
        steps.accept("timeout: retransmitting request " + identifier);
        return outstanding.clone();
    }

    /** Handles one response; returns the next packet to send (a request, Success or Failure). */
    public byte[] receive(byte[] packet) {
        if (result.done()) {
            throw new IllegalStateException("the authentication is over");
        }
        try {
            EapPacket response = EapPacket.parse(packet);
            steps.accept("received " + response);
            return handle(response);
        } catch (EapFormatException e) {
            return failure("malformed EAP packet from the peer: " + e.getMessage());
        } catch (EapTlsException e) {
            return failure(e.getMessage());
        }
    }

    private byte[] handle(EapPacket p) throws EapTlsException, EapFormatException {
        if (p.code() != EapPacket.Code.RESPONSE) {
            throw new EapTlsException("expected an EAP Response, received " + p.code());
        }
        if (p.identifier() != identifier) {
            throw new EapTlsException("response " + p.identifier() + " does not answer request " + identifier);
        }
        retransmissions = 0;
        return switch (p.type()) {
            case EapPacket.TYPE_IDENTITY -> identity(p);
            case EapPacket.TYPE_NAK -> throw new EapTlsException("the peer refuses EAP-TLS (Nak)");
            case EapPacket.TYPE_TLS -> tls(p);
            default -> throw new EapTlsException("unexpected EAP response type " + p.type());
        };
    }

    private byte[] identity(EapPacket p) throws EapTlsException {
        if (tls != null) {
            throw new EapTlsException("a second Identity response in the middle of EAP-TLS");
        }
        peerIdentity = new String(p.typeData(), StandardCharsets.UTF_8);
        try {
            tls = new AuthenticatorTls(credentials, peerCheck, config, peerIdentity, policy);
        } catch (IOException e) {
            throw new EapTlsException("TLS server did not start: " + e.getMessage(), e);
        }
        return request(EapTlsFragment.startFragment());
    }

    private byte[] tls(EapPacket p) throws EapTlsException, EapFormatException {
        if (tls == null) {
            throw new EapTlsException("EAP-TLS response before the Identity response");
        }
        FragmentExchange.Step step = exchange.receive(EapTlsFragment.parse(p.typeData()));
        if (step instanceof FragmentExchange.Send send) {
            return request(send.fragment());
        }
        byte[] message = ((FragmentExchange.Message) step).tls();
        if (message.length == 0) { // the peer acknowledged our last message: the end
            if (tlsFailure != null) {
                return failure(tlsFailure);
            }
            if (tls.done()) {
                return success();
            }
            throw new EapTlsException("an empty EAP-TLS response in the middle of the TLS handshake");
        }
        if (tlsFailure != null || tls.done()) {
            throw new EapTlsException("TLS data from the peer after the handshake " + (tls.done() ? "ended" : "failed"));
        }
        byte[] answer;
        try {
            answer = tls.offer(message);
        } catch (TlsFatalAlertReceived e) {
            return failure("the peer ended TLS with alert " + tls.alertReceived());
        } catch (IOException | RuntimeException e) {
            tlsFailure = "TLS failed: " + TlsEndpoint.describe(e);
            steps.accept(tlsFailure);
            answer = tls.drain(); // the alert, acknowledged by the peer before EAP-Failure
            if (answer.length == 0) {
                return failure(tlsFailure);
            }
        }
        if (answer.length == 0) {
            throw new EapTlsException("the peer's TLS message left TLS nothing to answer");
        }
        return request(exchange.send(answer));
    }

    private byte[] request(EapTlsFragment fragment) {
        identifier = (identifier + 1) & 0xff;
        return send(EapPacket.request(identifier, EapPacket.TYPE_TLS, fragment.encode()));
    }

    private byte[] send(EapPacket p) {
        steps.accept("sent " + p);
        outstanding = p.encode();
        return outstanding.clone();
    }

    private byte[] success() {
        result = new EapResult.Success(tls.keys(), tls.peerChain());
        steps.accept("authenticated " + peerIdentity + ": TLS " + tls.keys().version().label);
        return EapPacket.success(identifier).encode();
    }

    private byte[] failure(String reason) {
        result = new EapResult.Failure(reason);
        steps.accept("failed: " + reason);
        return EapPacket.failure(identifier).encode();
    }
}
