package org.tpmauth.tss;

/** The TPM answered a command with an error response code; the message explains it. */
public class TpmResponseException extends TpmException {
    private static final long serialVersionUID = 1L;
    private final int responseCode;
    private final int commandCode;

    public TpmResponseException(int commandCode, int responseCode) {
        super(TpmRc.describe(commandCode, responseCode));
        this.responseCode = responseCode;
        this.commandCode = commandCode;
    }

    /** The same error with what the caller found out about it appended ("...; 2 of 3 tries left"). */
    public TpmResponseException(TpmResponseException error, String detail) {
        super(error.getMessage() + "; " + detail, error);
        this.responseCode = error.responseCode;
        this.commandCode = error.commandCode;
    }

    /** The raw TPM_RC. */
    public int responseCode() {
        return responseCode;
    }

    /** The base error (parameter / handle / session index bits removed), e.g. TPM_RC_AUTH_FAIL. */
    public int baseCode() {
        return TpmRc.base(responseCode);
    }

    public int commandCode() {
        return commandCode;
    }

    public boolean is(int baseCode) {
        return baseCode() == baseCode;
    }
}
