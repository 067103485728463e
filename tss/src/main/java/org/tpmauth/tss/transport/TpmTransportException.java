package org.tpmauth.tss.transport;

import org.tpmauth.tss.TpmException;

/** The TPM could not be reached, or the connection broke during a command. */
public class TpmTransportException extends TpmException {
    private static final long serialVersionUID = 1L;

    public TpmTransportException(String message) {
        super(message);
    }

    public TpmTransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
