package org.tpmauth.eap;

import java.security.cert.X509Certificate;
import java.util.List;

/** Where an EAP-TLS authentication stands. */
public sealed interface EapResult {
    /** Still running. */
    record Pending() implements EapResult {
    }

    /**
     * Authenticated: the keys, and the other side's certificate chain (leaf first; for the peer, the
     * server's chain is checked but not kept, so it is empty).
     */
    record Success(EapTlsKeys keys, List<X509Certificate> peerChain) implements EapResult {
        public Success {
            peerChain = List.copyOf(peerChain);
        }
    }

    /** Not authenticated, and why. */
    record Failure(String reason) implements EapResult {
    }

    EapResult PENDING = new Pending();

    default boolean done() {
        return !(this instanceof Pending);
    }
}
