package org.tpmauth.tss.types;

/** Permanent and reserved handles (TPM_RH_*, TPM_RS_PW) and the handle ranges (TPM_HT_*). */
public final class TpmHandles {
    private TpmHandles() {
    }

    public static final int RH_OWNER = 0x40000001;
    public static final int RH_NULL = 0x40000007;
    public static final int RS_PW = 0x40000009;
    public static final int RH_LOCKOUT = 0x4000000A;
    public static final int RH_ENDORSEMENT = 0x4000000B;
    public static final int RH_PLATFORM = 0x4000000C;
    public static final int RH_PLATFORM_NV = 0x4000000D;

    public static final int HT_PCR = 0x00;
    public static final int HT_NV_INDEX = 0x01;
    public static final int HT_HMAC_SESSION = 0x02;
    public static final int HT_POLICY_SESSION = 0x03;
    public static final int HT_PERMANENT = 0x40;
    public static final int HT_TRANSIENT = 0x80;
    public static final int HT_PERSISTENT = 0x81;

    public static final int PERSISTENT_FIRST = 0x81000000;
    public static final int PERSISTENT_LAST = 0x81FFFFFF;
    /** Owner-range persistent handles a user may pick (TCG handle registry: 0x81000000-0x817FFFFF). */
    public static final int PERSISTENT_OWNER_LAST = 0x817FFFFF;

    public static int type(int handle) {
        return handle >>> 24;
    }

    public static boolean isPersistent(int handle) {
        return type(handle) == HT_PERSISTENT;
    }

    public static String hex(int handle) {
        return String.format("0x%08x", handle);
    }

    /** Parses "0x81000001", "81000001" or a decimal number. */
    public static int parse(String text) {
        String t = text.trim().toLowerCase();
        try {
            if (t.startsWith("0x")) {
                return Integer.parseUnsignedInt(t.substring(2), 16);
            }
            if (t.length() == 8 && t.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
                return Integer.parseUnsignedInt(t, 16);
            }
            return Integer.parseUnsignedInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a handle; write it in hex, e.g. 0x81000001");
        }
    }
}
