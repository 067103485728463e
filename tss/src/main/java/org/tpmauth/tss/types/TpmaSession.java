package org.tpmauth.tss.types;

/** TPMA_SESSION: the attribute bits of a session in TPMS_AUTH_COMMAND / TPMS_AUTH_RESPONSE. */
public final class TpmaSession {
    private TpmaSession() {
    }

    /** Keep the session open after the command. */
    public static final int CONTINUE_SESSION = 0x01;
    public static final int AUDIT_EXCLUSIVE = 0x02;
    public static final int AUDIT_RESET = 0x04;
    /** The first command parameter is encrypted (the TPM decrypts it). */
    public static final int DECRYPT = 0x20;
    /** The first response parameter is encrypted (the TPM encrypts it). */
    public static final int ENCRYPT = 0x40;
    public static final int AUDIT = 0x80;
}
