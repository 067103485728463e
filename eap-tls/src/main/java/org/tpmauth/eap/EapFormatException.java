package org.tpmauth.eap;

import java.io.IOException;

/** Bytes from the outside that are not a well-formed EAP or EAP-TLS packet; the message says what is wrong. */
public final class EapFormatException extends IOException {
    public EapFormatException(String message) {
        super(message);
    }
}
