package org.tpmauth.tss.types;

/** TPMA_ALGORITHM bits: what kind of algorithm an entry of TPM_CAP_ALGS is. */
public final class TpmaAlgorithm {
    private TpmaAlgorithm() {
    }

    public static final int ASYMMETRIC = 1;
    public static final int SYMMETRIC = 1 << 1;
    public static final int HASH = 1 << 2;
    public static final int OBJECT = 1 << 3;
    public static final int SIGNING = 1 << 8;
    public static final int ENCRYPTING = 1 << 9;
    public static final int METHOD = 1 << 10;
}
