package org.tpmauth.tss.keys;

import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmResponseException;

/** The key has a password and none was given (the TPM refused the empty one). */
public final class PasswordRequiredException extends TpmException {
    private static final long serialVersionUID = 1L;

    PasswordRequiredException(String message, TpmResponseException cause) {
        super(message, cause);
    }
}
