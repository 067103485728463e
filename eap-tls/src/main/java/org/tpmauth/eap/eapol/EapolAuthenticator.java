package org.tpmauth.eap.eapol;

import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.tpmauth.eap.EapFormatException;
import org.tpmauth.eap.EapResult;
import org.tpmauth.eap.EapTlsAuthenticator;

/**
 * A minimal wired 802.1X authenticator with its own EAP-TLS server, for one supplicant at a time: an
 * EAP-Request/Identity to the PAE group at start and after every EAPOL-Start, EAP over EAPOL with the
 * supplicant, requests retransmitted after a silence, and a verdict per authentication.
 */
public final class EapolAuthenticator {
    private static final int RETRANSMIT_MILLIS = 3000;
    private final EthernetSocket socket;
    private final Supplier<EapTlsAuthenticator> servers;
    private final Consumer<String> steps;
    private EapTlsAuthenticator session;
    private byte[] supplicant;

    /** The verdict on one supplicant. */
    public record Verdict(String mac, String identity, EapResult result) {
        public boolean authorized() {
            return result instanceof EapResult.Success;
        }
    }

    public EapolAuthenticator(EthernetSocket socket, Supplier<EapTlsAuthenticator> servers, Consumer<String> steps) {
        this.socket = socket;
        this.servers = servers;
        this.steps = steps;
    }

    /** Serves until the thread is interrupted or {@code count} authentications ended (0: no limit). */
    public void serve(int count, Consumer<Verdict> verdicts) throws IOException {
        int done = 0;
        begin(EapolFrame.PAE_GROUP);
        while (!Thread.currentThread().isInterrupted() && (count == 0 || done < count)) {
            Optional<byte[]> bytes = socket.receive(RETRANSMIT_MILLIS);
            if (bytes.isEmpty()) {
                if (session != null) {
                    byte[] again = session.retransmit();
                    if (Arrays.equals(supplicant, EapolFrame.PAE_GROUP) && session.result().done()) {
                        session = null; // nobody answered our Identity request: wait for an EAPOL-Start
                        continue;
                    }
                    send(again);
                    done += verdict(verdicts);
                }
                continue;
            }
            EapolFrame frame;
            try {
                frame = EapolFrame.parse(bytes.get());
            } catch (EapFormatException e) {
                steps.accept("ignored a malformed frame: " + e.getMessage());
                continue;
            }
            steps.accept("received " + frame);
            switch (frame.type()) {
                case EapolFrame.TYPE_START -> begin(frame.source());
                case EapolFrame.TYPE_LOGOFF -> {
                    if (session != null && Arrays.equals(frame.source(), supplicant)) {
                        steps.accept("logoff from " + EapolFrame.mac(supplicant));
                        session = null;
                    }
                }
                case EapolFrame.TYPE_EAP -> {
                    if (session == null || (!Arrays.equals(supplicant, EapolFrame.PAE_GROUP)
                            && !Arrays.equals(frame.source(), supplicant))) {
                        continue; // not the supplicant we are talking to
                    }
                    supplicant = frame.source();
                    send(session.receive(frame.body()));
                    done += verdict(verdicts);
                }
                default -> steps.accept("ignored EAPOL type " + frame.type());
            }
        }
    }

    private void begin(byte[] peer) throws IOException {
        session = servers.get().onStep(steps);
        supplicant = peer;
        send(session.start());
    }

    private int verdict(Consumer<Verdict> verdicts) {
        if (session == null || !session.result().done()) {
            return 0;
        }
        verdicts.accept(new Verdict(EapolFrame.mac(supplicant), session.peerIdentity(), session.result()));
        session = null;
        return 1;
    }

    private void send(byte[] eap) throws IOException {
        EapolFrame frame = new EapolFrame(supplicant, socket.mac(), EapolFrame.VERSION, EapolFrame.TYPE_EAP, eap);
        steps.accept("sent " + frame);
        socket.send(frame);
    }
}
