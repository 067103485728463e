package org.tpmauth.attest.client;

import java.io.IOException;

/** The service refused a request; the message is its verdict (one "FAIL check: message" line per failure). */
public final class ServiceRefusal extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public ServiceRefusal(int status, String verdict) {
        super("the attestation service refused (HTTP " + status + "):\n" + verdict.strip());
        this.status = status;
    }

    public int status() {
        return status;
    }
}
