package org.tpmauth.tss;

import org.tpmauth.tss.types.TpmCc;

/**
 * A command given a timeout ({@link Tpm#execute(org.tpmauth.tss.commands.TpmCommand, java.time.Duration,
 * org.tpmauth.tss.sessions.Session...)}) did not complete in time. The Tpm stays usable.
 */
public class TpmTimeoutException extends TpmException {
    private static final long serialVersionUID = 1L;
    private final int commandCode;

    public TpmTimeoutException(int commandCode, String message) {
        super(TpmCc.nameOf(commandCode) + " " + message);
        this.commandCode = commandCode;
    }

    public int commandCode() {
        return commandCode;
    }
}
