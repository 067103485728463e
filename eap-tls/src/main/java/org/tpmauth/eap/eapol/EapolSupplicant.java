package org.tpmauth.eap.eapol;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.tpmauth.eap.EapFormatException;
import org.tpmauth.eap.EapPacket;
import org.tpmauth.eap.EapResult;
import org.tpmauth.eap.EapTlsPeer;

/**
 * A wired 802.1X supplicant: sends EAPOL-Start to the PAE group address (again every few seconds until
 * an authenticator answers), hands each EAP request to our peer and sends its responses back. The
 * authenticator retransmits its requests; a repeated request gets the same response.
 */
public final class EapolSupplicant {
    private static final int START_INTERVAL_MILLIS = 3000;
    private static final int MAX_STARTS = 3;
    private final EthernetSocket socket;
    private final Supplier<EapTlsPeer> peers;
    private final Consumer<String> steps;

    /**
     * @param peers makes a fresh peer for each authentication
     */
    public EapolSupplicant(EthernetSocket socket, Supplier<EapTlsPeer> peers, Consumer<String> steps) {
        this.socket = socket;
        this.peers = peers;
        this.steps = steps;
    }

    /** One authentication, ended by EAP-Success / Failure or by {@code timeout}. */
    public EapResult authenticate(Duration timeout) throws IOException {
        EapTlsPeer peer = peers.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        int starts = 0;
        long nextStart = 0;
        boolean answered = false;
        while (System.nanoTime() < deadline && !peer.result().done()) {
            if (!answered && System.nanoTime() >= nextStart && starts < MAX_STARTS) {
                send(EapolFrame.TYPE_START, new byte[0]);
                starts++;
                nextStart = System.nanoTime() + Duration.ofMillis(START_INTERVAL_MILLIS).toNanos();
            }
            Optional<EapolFrame> frame = receiveEap(500);
            if (frame.isPresent()) {
                answered = true;
                handle(peer, frame.get());
            }
        }
        if (!peer.result().done()) {
            return new EapResult.Failure(answered ? "the authentication did not end within " + timeout.toSeconds() + " s"
                    : "no authenticator answered EAPOL-Start on " + socket.interfaceName() + " within "
                    + timeout.toSeconds() + " s");
        }
        return peer.result();
    }

    /**
     * Authenticates, then stays: answers the authenticator's later requests (a new Identity request
     * starts a re-authentication with a fresh peer) until the thread is interrupted. Reports each result.
     */
    public void stay(Duration timeout, Consumer<EapResult> results) throws IOException {
        results.accept(authenticate(timeout));
        EapTlsPeer peer = null;
        while (!Thread.currentThread().isInterrupted()) {
            Optional<EapolFrame> frame = receiveEap(1000);
            if (frame.isEmpty()) {
                continue;
            }
            if (peer == null || peer.result().done()) {
                if (!isIdentityRequest(frame.get().body())) {
                    continue;
                }
                steps.accept("re-authentication requested");
                peer = peers.get();
            }
            handle(peer, frame.get());
            if (peer.result().done()) {
                results.accept(peer.result());
            }
        }
    }

    private static boolean isIdentityRequest(byte[] eap) {
        try {
            EapPacket p = EapPacket.parse(eap);
            return p.code() == EapPacket.Code.REQUEST && p.type() == EapPacket.TYPE_IDENTITY;
        } catch (EapFormatException e) {
            return false;
        }
    }

    private void handle(EapTlsPeer peer, EapolFrame frame) throws IOException {
        Optional<byte[]> response = peer.receive(frame.body());
        if (response.isPresent()) {
            send(EapolFrame.TYPE_EAP, response.get());
        }
    }

    private void send(int type, byte[] body) throws IOException {
        EapolFrame frame = new EapolFrame(EapolFrame.PAE_GROUP, socket.mac(), EapolFrame.VERSION, type, body);
        steps.accept("sent " + frame);
        socket.send(frame);
    }

    /** The next EAP-Packet frame addressed to us or to the PAE group; other frames are skipped. */
    private Optional<EapolFrame> receiveEap(int timeoutMillis) throws IOException {
        Optional<byte[]> bytes = socket.receive(timeoutMillis);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            EapolFrame frame = EapolFrame.parse(bytes.get());
            if (frame.type() != EapolFrame.TYPE_EAP || !forUs(frame)) {
                return Optional.empty();
            }
            steps.accept("received " + frame);
            return Optional.of(frame);
        } catch (EapFormatException e) {
            steps.accept("ignored a malformed frame: " + e.getMessage());
            return Optional.empty();
        }
    }

    private boolean forUs(EapolFrame frame) {
        return java.util.Arrays.equals(frame.destination(), EapolFrame.PAE_GROUP)
                || java.util.Arrays.equals(frame.destination(), socket.mac());
    }
}
