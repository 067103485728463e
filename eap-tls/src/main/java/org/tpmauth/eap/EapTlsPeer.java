package org.tpmauth.eap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.tpmauth.tls.bound.CertificateCheck;
import org.tpmauth.tls.bound.TlsIdentity;

/**
 * The EAP peer with the EAP-TLS method, as a state machine over EAP packets: each packet from the
 * authenticator goes into {@link #receive}, which returns the response to send, if any. It answers
 * Identity and Notification requests, a Nak (proposing EAP-TLS) to other methods, and runs TLS with
 * fragmentation. EAP-Success counts only after the TLS handshake completed (and, in TLS 1.3, after the
 * server's commitment message). Any malformed or out-of-order packet ends the authentication with a
 * {@link EapResult.Failure} that says why; nothing escapes as an exception. Not thread-safe.
 */
public final class EapTlsPeer {
    private final String identity;
    private final TlsIdentity credentials;
    private final CertificateCheck serverCheck;
    private final EapTlsConfig config;
    private final FragmentExchange exchange;
    private Consumer<String> steps = step -> { };
    private PeerTls tls;
    private String tlsFailure;
    private byte[] lastRequest;
    private byte[] lastResponse;
    private EapResult result = EapResult.PENDING;

    /**
     * @param identity the EAP identity to send (a user name or a host name; not checked against the certificate)
     * @param credentials our key (a TPM key through {@code TpmPrivateKey}) and its certificate chain
     * @param caCertificates the CA certificates the server's chain must lead to
     */
    public EapTlsPeer(String identity, TlsIdentity credentials, List<X509Certificate> caCertificates,
            EapTlsConfig config) {
        this.identity = identity;
        this.credentials = credentials;
        this.serverCheck = new CertificateCheck(caCertificates);
        this.config = config;
        this.exchange = new FragmentExchange(config);
    }

    /** Receives a line per step (packets in and out, TLS progress); for the CLI's report. */
    public EapTlsPeer onStep(Consumer<String> listener) {
        this.steps = listener;
        return this;
    }

    public EapResult result() {
        return result;
    }

    /** Handles one packet from the authenticator; returns the EAP packet to answer with, if any. */
    public Optional<byte[]> receive(byte[] packet) {
        if (result.done()) {
            return Optional.empty();
        }
        try {
            EapPacket request = EapPacket.parse(packet);
            steps.accept("received " + request);
            EapPacket response = handle(request, packet);
            if (response == null) {
                return Optional.empty();
            }
            steps.accept("sent " + response + describe(response));
            return Optional.of(response.encode());
        } catch (EapFormatException e) {
            fail("malformed EAP packet from the authenticator: " + e.getMessage());
        } catch (EapTlsException e) {
            fail(e.getMessage());
        }
        return Optional.empty();
    }

    private EapPacket handle(EapPacket p, byte[] raw) throws EapTlsException, EapFormatException {
        switch (p.code()) {
            case SUCCESS -> {
                if (tls == null || !tls.done()) {
                    throw new EapTlsException("EAP-Success before the TLS handshake ended"
                            + (tls != null && tls.keys() != null ? " (no TLS 1.3 commitment message yet)" : "")
                            + ": not authenticated");
                }
                result = new EapResult.Success(tls.keys(), List.of());
                steps.accept("authenticated: TLS " + tls.keys().version().label);
                return null;
            }
            case FAILURE -> {
                fail("the authenticator sent EAP-Failure" + (tlsFailure == null ? "" : ": " + tlsFailure));
                return null;
            }
            case RESPONSE -> throw new EapTlsException("received an EAP Response: the other side is a peer too");
            default -> {
            }
        }
        if (lastResponse != null && Arrays.equals(raw, lastRequest)) {
            steps.accept("retransmitted request: sending the same response again");
            return EapPacket.parse(lastResponse);
        }
        EapPacket response = switch (p.type()) {
            case EapPacket.TYPE_IDENTITY -> EapPacket.response(p.identifier(), EapPacket.TYPE_IDENTITY,
                    identity.getBytes(StandardCharsets.UTF_8));
            case EapPacket.TYPE_NOTIFICATION -> {
                steps.accept("notification: " + new String(p.typeData(), StandardCharsets.UTF_8));
                yield EapPacket.response(p.identifier(), EapPacket.TYPE_NOTIFICATION, new byte[0]);
            }
            case EapPacket.TYPE_TLS -> EapPacket.response(p.identifier(), EapPacket.TYPE_TLS, tls(p).encode());
            default -> {
                if (tls != null) {
                    throw new EapTlsException("EAP method " + p.type() + " requested in the middle of EAP-TLS");
                }
                yield EapPacket.response(p.identifier(), EapPacket.TYPE_NAK, new byte[] {EapPacket.TYPE_TLS});
            }
        };
        lastRequest = raw.clone();
        lastResponse = response.encode();
        return response;
    }

    private EapTlsFragment tls(EapPacket p) throws EapTlsException, EapFormatException {
        EapTlsFragment f = EapTlsFragment.parse(p.typeData());
        if (f.start()) {
            if (tls != null) {
                throw new EapTlsException("a second EAP-TLS Start in one authentication");
            }
            tls = new PeerTls(credentials, serverCheck, config);
            try {
                return exchange.send(tls.start());
            } catch (IOException e) {
                throw new EapTlsException("TLS did not start: " + e.getMessage(), e);
            }
        }
        if (tls == null) {
            throw new EapTlsException("EAP-TLS data before the EAP-TLS Start");
        }
        if (tlsFailure != null) {
            throw new EapTlsException("TLS data after TLS failed (" + tlsFailure + ")");
        }
        FragmentExchange.Step step = exchange.receive(f);
        if (step instanceof FragmentExchange.Send send) {
            return send.fragment();
        }
        byte[] message = ((FragmentExchange.Message) step).tls();
        if (message.length == 0) {
            throw new EapTlsException("an empty EAP-TLS request when nothing was to be acknowledged");
        }
        return exchange.send(offer(message));
    }

    /** TLS's answer to a message; after a TLS failure its alert (or nothing: then an acknowledgement). */
    private byte[] offer(byte[] message) {
        try {
            return tls.offer(message);
        } catch (TlsFatalAlertReceived e) {
            tlsFailure = "the server ended TLS with alert " + tls.alertReceived();
        } catch (IOException e) {
            tlsFailure = "TLS failed: " + TlsEndpoint.describe(e);
        } catch (RuntimeException e) { // a TLS stack bug or a TPM error: still a clear failure, not an escape
            tlsFailure = "TLS failed: " + TlsEndpoint.describe(e);
        }
        steps.accept(tlsFailure);
        return tls.drain();
    }

    private void fail(String reason) {
        result = new EapResult.Failure(reason);
        steps.accept("failed: " + reason);
    }

    private static String describe(EapPacket p) {
        if (p.type() != EapPacket.TYPE_TLS) {
            return "";
        }
        try {
            return ": " + EapTlsFragment.parse(p.typeData());
        } catch (EapFormatException e) {
            return "";
        }
    }

}
