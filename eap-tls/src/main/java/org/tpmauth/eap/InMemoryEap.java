package org.tpmauth.eap;

import java.util.Optional;

/** The in-memory transport: runs a peer against an authenticator in one thread until both are done. */
public final class InMemoryEap {
    /** More round trips than any EAP-TLS conversation with the largest accepted messages needs. */
    private static final int MAX_ROUND_TRIPS = 10_000;

    private InMemoryEap() {
    }

    /** The outcome of one conversation, seen from both sides. */
    public record Outcome(EapResult peer, EapResult authenticator) {
    }

    public static Outcome run(EapTlsPeer peer, EapTlsAuthenticator authenticator) {
        byte[] toPeer = authenticator.start();
        for (int i = 0; i < MAX_ROUND_TRIPS && !authenticator.result().done(); i++) {
            Optional<byte[]> answer = peer.receive(toPeer);
            if (answer.isEmpty()) {
                break;
            }
            toPeer = authenticator.receive(answer.get());
        }
        peer.receive(toPeer); // Success or Failure
        return new Outcome(peer.result(), authenticator.result());
    }
}
