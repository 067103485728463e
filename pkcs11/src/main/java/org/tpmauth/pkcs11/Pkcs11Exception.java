package org.tpmauth.pkcs11;

/** A call that fails with a CK_RV; the message (never secret) goes to the service's log. */
final class Pkcs11Exception extends Exception {
    final long rv;

    Pkcs11Exception(long rv, String message) {
        super(message);
        this.rv = rv;
    }

    Pkcs11Exception(long rv, String message, Throwable cause) {
        super(message, cause);
        this.rv = rv;
    }
}
