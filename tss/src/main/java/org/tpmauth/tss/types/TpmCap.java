package org.tpmauth.tss.types;

/** TPM_CAP: the capability groups TPM2_GetCapability reads (Part 2, table "TPM_CAP"). */
public final class TpmCap {
    private TpmCap() {
    }

    public static final int ALGS = 0x00000000;
    public static final int HANDLES = 0x00000001;
    public static final int COMMANDS = 0x00000002;
    public static final int PP_COMMANDS = 0x00000003;
    public static final int AUDIT_COMMANDS = 0x00000004;
    public static final int PCRS = 0x00000005;
    public static final int TPM_PROPERTIES = 0x00000006;
    public static final int PCR_PROPERTIES = 0x00000007;
    public static final int ECC_CURVES = 0x00000008;
    public static final int AUTH_POLICIES = 0x00000009;
    public static final int ACT = 0x0000000A;
    public static final int VENDOR_PROPERTY = 0x00000100;

    private static final ConstantNames NAMES = new ConstantNames(TpmCap.class, "TPM_CAP_");

    /** "TPM_CAP_HANDLES" for 1, or the value in hex. */
    public static String nameOf(int capability) {
        return NAMES.nameOf(capability);
    }
}
