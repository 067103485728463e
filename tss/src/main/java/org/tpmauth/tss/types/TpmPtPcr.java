package org.tpmauth.tss.types;

/**
 * TPM_PT_PCR: the PCR properties read with TPM2_GetCapability(TPM_CAP_PCR_PROPERTIES); each tags a
 * TPMS_TAGGED_PCR_SELECT naming the PCRs that have the property.
 */
public final class TpmPtPcr {
    private TpmPtPcr() {
    }

    public static final int SAVE = 0x00;
    public static final int EXTEND_L0 = 0x01;
    public static final int RESET_L0 = 0x02;
    public static final int EXTEND_L1 = 0x03;
    public static final int RESET_L1 = 0x04;
    public static final int EXTEND_L2 = 0x05;
    public static final int RESET_L2 = 0x06;
    public static final int EXTEND_L3 = 0x07;
    public static final int RESET_L3 = 0x08;
    public static final int EXTEND_L4 = 0x09;
    public static final int RESET_L4 = 0x0A;
    public static final int NO_INCREMENT = 0x11;
    public static final int DRTM_RESET = 0x12;
    public static final int POLICY = 0x13;
    public static final int AUTH = 0x14;

    private static final ConstantNames NAMES = new ConstantNames(TpmPtPcr.class, "TPM_PT_PCR_");

    public static String nameOf(int tag) {
        return NAMES.nameOf(tag);
    }
}
