package org.tpmauth.tss.types;

/** TPMA_OBJECT bits. */
public final class TpmaObject {
    private TpmaObject() {
    }

    public static final int FIXED_TPM = 1 << 1;
    public static final int ST_CLEAR = 1 << 2;
    public static final int FIXED_PARENT = 1 << 4;
    public static final int SENSITIVE_DATA_ORIGIN = 1 << 5;
    public static final int USER_WITH_AUTH = 1 << 6;
    public static final int ADMIN_WITH_POLICY = 1 << 7;
    public static final int NO_DA = 1 << 10;
    public static final int ENCRYPTED_DUPLICATION = 1 << 11;
    public static final int RESTRICTED = 1 << 16;
    public static final int DECRYPT = 1 << 17;
    public static final int SIGN_ENCRYPT = 1 << 18;
    public static final int X509_SIGN = 1 << 19;

    public static boolean has(int attributes, int bit) {
        return (attributes & bit) != 0;
    }
}
