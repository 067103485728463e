package org.tpmauth.tss.types;

/** TPM_SU: the startup / shutdown types of TPM2_Startup and TPM2_Shutdown. */
public final class TpmSu {
    private TpmSu() {
    }

    /** TPM Reset (Startup) or an orderly shutdown that keeps no state (Shutdown). */
    public static final int CLEAR = 0x0000;
    /** TPM Resume / Restart (Startup), or save the state for it (Shutdown). */
    public static final int STATE = 0x0001;
}
