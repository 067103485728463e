package org.tpmauth.eap;

/** A violation of the EAP-TLS exchange (out-of-order, oversized or inconsistent fragments, unexpected packets). */
public final class EapTlsException extends Exception {
    public EapTlsException(String message) {
        super(message);
    }

    public EapTlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
