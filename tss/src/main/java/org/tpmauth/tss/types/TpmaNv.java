package org.tpmauth.tss.types;

/**
 * TPMA_NV: the attributes of an NV index (TPMS_NV_PUBLIC.attributes), and the TPM_NT index type held
 * in bits 4-7.
 */
public final class TpmaNv {
    private TpmaNv() {
    }

    public static final int PPWRITE = 1;
    public static final int OWNERWRITE = 1 << 1;
    public static final int AUTHWRITE = 1 << 2;
    public static final int POLICYWRITE = 1 << 3;
    public static final int POLICY_DELETE = 1 << 10;
    public static final int WRITELOCKED = 1 << 11;
    public static final int WRITEALL = 1 << 12;
    public static final int WRITEDEFINE = 1 << 13;
    public static final int WRITE_STCLEAR = 1 << 14;
    public static final int GLOBALLOCK = 1 << 15;
    public static final int PPREAD = 1 << 16;
    public static final int OWNERREAD = 1 << 17;
    public static final int AUTHREAD = 1 << 18;
    public static final int POLICYREAD = 1 << 19;
    public static final int NO_DA = 1 << 25;
    public static final int ORDERLY = 1 << 26;
    public static final int CLEAR_STCLEAR = 1 << 27;
    public static final int READLOCKED = 1 << 28;
    public static final int WRITTEN = 1 << 29;
    public static final int PLATFORMCREATE = 1 << 30;
    public static final int READ_STCLEAR = 1 << 31;

    /** TPM_NT index types, as stored in bits 4-7. */
    public static final int NT_ORDINARY = 0x0;
    public static final int NT_COUNTER = 0x1;
    public static final int NT_BITS = 0x2;
    public static final int NT_EXTEND = 0x4;
    public static final int NT_PIN_FAIL = 0x8;
    public static final int NT_PIN_PASS = 0x9;

    private static final int NT_SHIFT = 4;
    private static final int NT_MASK = 0xF << NT_SHIFT;

    /** The TPM_NT index type of these attributes. */
    public static int type(int attributes) {
        return (attributes & NT_MASK) >>> NT_SHIFT;
    }

    /** The attributes with their index type replaced by {@code nt}. */
    public static int withType(int attributes, int nt) {
        if ((nt & ~0xF) != 0) {
            throw new IllegalArgumentException("TPM_NT " + nt + " does not fit in 4 bits");
        }
        return (attributes & ~NT_MASK) | (nt << NT_SHIFT);
    }
}
