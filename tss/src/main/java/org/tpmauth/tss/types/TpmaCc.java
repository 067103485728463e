package org.tpmauth.tss.types;

/**
 * TPMA_CC: a command's attributes as TPM_CAP_COMMANDS reports them: its index, whether it is a
 * vendor command, and how many handles it takes and returns.
 */
public final class TpmaCc {
    private TpmaCc() {
    }

    public static final int COMMAND_INDEX_MASK = 0xFFFF;
    public static final int NV = 1 << 22;
    public static final int EXTENSIVE = 1 << 23;
    public static final int FLUSHED = 1 << 24;
    private static final int C_HANDLES_SHIFT = 25;
    public static final int R_HANDLE = 1 << 28;
    public static final int V = 1 << 29;

    /** The TPM_CC this entry describes (the index, plus the vendor bit for vendor commands). */
    public static int commandCode(int tpmaCc) {
        return tpmaCc & (COMMAND_INDEX_MASK | V);
    }

    /** How many handles the command's handle area holds. */
    public static int commandHandles(int tpmaCc) {
        return (tpmaCc >>> C_HANDLES_SHIFT) & 0x7;
    }

    /** Whether the response carries a handle. */
    public static boolean responseHandle(int tpmaCc) {
        return (tpmaCc & R_HANDLE) != 0;
    }
}
