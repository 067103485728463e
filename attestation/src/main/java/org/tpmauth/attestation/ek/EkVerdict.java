package org.tpmauth.attestation.ek;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The result of checking an EK certificate: a status and a sentence for people. {@code chain} is the
 * path found, leaf first, root last (as far as it was found).
 */
public record EkVerdict(Status status, String message, List<X509Certificate> chain) {
    public EkVerdict {
        chain = List.copyOf(chain);
    }

    /** Why a certificate was accepted or not. */
    public enum Status {
        /** Chains to a trusted root, every certificate in its validity period, key matches. */
        VALID,
        /** No root or intermediate in the trusted set issued a certificate of the chain. */
        UNKNOWN_ISSUER,
        /** A certificate of the chain is past its notAfter. */
        EXPIRED,
        /** A certificate of the chain is before its notBefore. */
        NOT_YET_VALID,
        /** The certificate's public key is not the TPM's EK. */
        KEY_MISMATCH,
        /** Any other failure of path validation (bad signature, a CA without CA rights, ...). */
        INVALID
    }

    public boolean valid() {
        return status == Status.VALID;
    }

    @Override
    public String toString() {
        return status + ": " + message;
    }
}
