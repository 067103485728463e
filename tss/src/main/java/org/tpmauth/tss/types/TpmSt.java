package org.tpmauth.tss.types;

/** TPM_ST structure tags. */
public final class TpmSt {
    private TpmSt() {
    }

    public static final int RSP_COMMAND = 0x00C4;
    public static final int NULL = 0x8000;
    public static final int NO_SESSIONS = 0x8001;
    public static final int SESSIONS = 0x8002;
    public static final int ATTEST_NV = 0x8014;
    public static final int ATTEST_COMMAND_AUDIT = 0x8015;
    public static final int ATTEST_SESSION_AUDIT = 0x8016;
    public static final int ATTEST_CERTIFY = 0x8017;
    public static final int ATTEST_QUOTE = 0x8018;
    public static final int ATTEST_TIME = 0x8019;
    public static final int ATTEST_CREATION = 0x801A;
    public static final int ATTEST_NV_DIGEST = 0x801C;
    public static final int CREATION = 0x8021;
    public static final int VERIFIED = 0x8022;
    public static final int AUTH_SECRET = 0x8023;
    public static final int HASHCHECK = 0x8024;
    public static final int AUTH_SIGNED = 0x8025;
}
