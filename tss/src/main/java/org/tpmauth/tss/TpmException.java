package org.tpmauth.tss;

/** Base of everything the TPM stack throws about the TPM itself (transport, response codes). */
public class TpmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TpmException(String message) {
        super(message);
    }

    public TpmException(String message, Throwable cause) {
        super(message, cause);
    }
}
