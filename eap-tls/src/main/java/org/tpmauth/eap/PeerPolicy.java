package org.tpmauth.eap;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The authenticator's decision about one peer whose certificate chain already leads to a trusted CA:
 * the place for checks beyond the certificate (an attestation verdict, an allow list).
 */
@FunctionalInterface
public interface PeerPolicy {
    /** Accepts every peer with a valid chain. */
    PeerPolicy ACCEPT_ALL = (identity, chain) -> null;

    /**
     * Null to accept, else the reason to refuse (it ends the handshake with access_denied).
     *
     * @param identity the EAP identity the peer gave
     * @param chain the peer's certificates, leaf first
     */
    String refusal(String identity, List<X509Certificate> chain);
}
