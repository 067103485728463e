package org.tpmauth.tss;

/**
 * A response failed its session HMAC check: it was altered between the TPM and this process (or the
 * session lost step). The response was discarded; the session cannot be used further.
 */
public class TpmIntegrityException extends TpmException {
    private static final long serialVersionUID = 1L;

    public TpmIntegrityException(String message) {
        super(message);
    }
}
