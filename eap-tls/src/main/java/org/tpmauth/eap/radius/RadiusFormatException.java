package org.tpmauth.eap.radius;

import java.io.IOException;

/** Bytes that are not a well-formed RADIUS packet, or a packet that fails its authenticator checks. */
public final class RadiusFormatException extends IOException {
    public RadiusFormatException(String message) {
        super(message);
    }
}
