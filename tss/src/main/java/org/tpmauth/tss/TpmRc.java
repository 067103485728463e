package org.tpmauth.tss;

/**
 * TPM_RC response codes (Part 2, "TPM_RC"): constants, and decoding of format-zero and format-one
 * codes into a sentence a person can act on.
 */
public final class TpmRc {
    private TpmRc() {
    }

    public static final int SUCCESS = 0x000;
    public static final int RC_VER1 = 0x100;
    public static final int INITIALIZE = RC_VER1 + 0x000;
    public static final int FAILURE = RC_VER1 + 0x001;
    public static final int RC_WARN = 0x900;
    public static final int YIELDED = RC_WARN + 0x008;
    public static final int TESTING = RC_WARN + 0x00A;
    public static final int RETRY = RC_WARN + 0x022;

    /** The code without the handle / parameter / session number (format one) bits. */
    public static int base(int rc) {
        if ((rc & 0x80) != 0) {
            return rc & 0xBF;
        }
        return rc;
    }

    /** A readable explanation: name, where (handle / parameter / session n), and what to do. */
    public static String describe(int commandCode, int rc) {
        return String.format("%s failed: TPM_RC 0x%03x", org.tpmauth.tss.types.TpmCc.nameOf(commandCode), rc);
    }
}
