package org.tpmauth.vpn.wireguard;

/** A WireGuard step failed; the message says which and what to do. It never contains key material. */
public class WireGuardException extends RuntimeException {
    public WireGuardException(String message) {
        super(message);
    }

    public WireGuardException(String message, Throwable cause) {
        super(message, cause);
    }
}
