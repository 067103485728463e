package org.tpmauth.tss;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.tpmauth.tss.types.TpmCc;

/**
 * TPM_RC response codes (TPM 2.0 Part 2, table "TPM_RC", rev 1.59): constants named as in the spec
 * (without the {@code TPM_RC_} prefix), and decoding of any code into one sentence a person can act
 * on.
 *
 * <p>Layout (Part 2, "Response Code Details"): format one (bit 7 set) carries the error number in
 * bits 0-5 and says which handle, parameter or session it is about in bits 6 and 8-11; format zero
 * has the error in bits 0-6, bit 8 set for TPM 2.0 (clear: a TPM 1.2 code), bit 10 for vendor codes
 * and bit 11 for warnings. Bits 16-23 carry the TSS2 layer when a software stack produced the code
 * (see {@code Tss2Rc}).
 */
public final class TpmRc {
    private TpmRc() {
    }

    public static final int SUCCESS = 0x000;
    /** TPM 1.2 compatible code: the command's tag is not a TPM 2.0 tag. */
    public static final int BAD_TAG = 0x01E;

    /** Start of the format-zero errors. */
    public static final int RC_VER1 = 0x100;
    public static final int INITIALIZE = RC_VER1 + 0x000;
    public static final int FAILURE = RC_VER1 + 0x001;
    public static final int SEQUENCE = RC_VER1 + 0x003;
    public static final int PRIVATE = RC_VER1 + 0x00B;
    public static final int HMAC = RC_VER1 + 0x019;
    public static final int DISABLED = RC_VER1 + 0x020;
    public static final int EXCLUSIVE = RC_VER1 + 0x021;
    public static final int AUTH_TYPE = RC_VER1 + 0x024;
    public static final int AUTH_MISSING = RC_VER1 + 0x025;
    public static final int POLICY = RC_VER1 + 0x026;
    public static final int PCR = RC_VER1 + 0x027;
    public static final int PCR_CHANGED = RC_VER1 + 0x028;
    public static final int UPGRADE = RC_VER1 + 0x02D;
    public static final int TOO_MANY_CONTEXTS = RC_VER1 + 0x02E;
    public static final int AUTH_UNAVAILABLE = RC_VER1 + 0x02F;
    public static final int REBOOT = RC_VER1 + 0x030;
    public static final int UNBALANCED = RC_VER1 + 0x031;
    public static final int COMMAND_SIZE = RC_VER1 + 0x042;
    public static final int COMMAND_CODE = RC_VER1 + 0x043;
    public static final int AUTHSIZE = RC_VER1 + 0x044;
    public static final int AUTH_CONTEXT = RC_VER1 + 0x045;
    public static final int NV_RANGE = RC_VER1 + 0x046;
    public static final int NV_SIZE = RC_VER1 + 0x047;
    public static final int NV_LOCKED = RC_VER1 + 0x048;
    public static final int NV_AUTHORIZATION = RC_VER1 + 0x049;
    public static final int NV_UNINITIALIZED = RC_VER1 + 0x04A;
    public static final int NV_SPACE = RC_VER1 + 0x04B;
    public static final int NV_DEFINED = RC_VER1 + 0x04C;
    public static final int BAD_CONTEXT = RC_VER1 + 0x050;
    public static final int CPHASH = RC_VER1 + 0x051;
    public static final int PARENT = RC_VER1 + 0x052;
    public static final int NEEDS_TEST = RC_VER1 + 0x053;
    public static final int NO_RESULT = RC_VER1 + 0x054;
    public static final int SENSITIVE = RC_VER1 + 0x055;

    /** Start of the format-one errors; compare {@link #base(int)} of a code with these. */
    public static final int RC_FMT1 = 0x080;
    public static final int ASYMMETRIC = RC_FMT1 + 0x001;
    public static final int ATTRIBUTES = RC_FMT1 + 0x002;
    public static final int HASH = RC_FMT1 + 0x003;
    public static final int VALUE = RC_FMT1 + 0x004;
    public static final int HIERARCHY = RC_FMT1 + 0x005;
    public static final int KEY_SIZE = RC_FMT1 + 0x007;
    public static final int MGF = RC_FMT1 + 0x008;
    public static final int MODE = RC_FMT1 + 0x009;
    public static final int TYPE = RC_FMT1 + 0x00A;
    public static final int HANDLE = RC_FMT1 + 0x00B;
    public static final int KDF = RC_FMT1 + 0x00C;
    public static final int RANGE = RC_FMT1 + 0x00D;
    public static final int AUTH_FAIL = RC_FMT1 + 0x00E;
    public static final int NONCE = RC_FMT1 + 0x00F;
    public static final int PP = RC_FMT1 + 0x010;
    public static final int SCHEME = RC_FMT1 + 0x012;
    public static final int SIZE = RC_FMT1 + 0x015;
    public static final int SYMMETRIC = RC_FMT1 + 0x016;
    public static final int TAG = RC_FMT1 + 0x017;
    public static final int SELECTOR = RC_FMT1 + 0x018;
    public static final int INSUFFICIENT = RC_FMT1 + 0x01A;
    public static final int SIGNATURE = RC_FMT1 + 0x01B;
    public static final int KEY = RC_FMT1 + 0x01C;
    public static final int POLICY_FAIL = RC_FMT1 + 0x01D;
    public static final int INTEGRITY = RC_FMT1 + 0x01F;
    public static final int TICKET = RC_FMT1 + 0x020;
    public static final int RESERVED_BITS = RC_FMT1 + 0x021;
    public static final int BAD_AUTH = RC_FMT1 + 0x022;
    public static final int EXPIRED = RC_FMT1 + 0x023;
    public static final int POLICY_CC = RC_FMT1 + 0x024;
    public static final int BINDING = RC_FMT1 + 0x025;
    public static final int CURVE = RC_FMT1 + 0x026;
    public static final int ECC_POINT = RC_FMT1 + 0x027;
    /** Added by Part 2 rev 1.83 (firmware-limited hierarchies). */
    public static final int FW_LIMITED = RC_FMT1 + 0x028;
    /** Added by Part 2 rev 1.83 (SVN-limited hierarchies). */
    public static final int SVN_LIMITED = RC_FMT1 + 0x029;

    /** Start of the warnings (format zero with the severity bit). */
    public static final int RC_WARN = 0x900;
    public static final int CONTEXT_GAP = RC_WARN + 0x001;
    public static final int OBJECT_MEMORY = RC_WARN + 0x002;
    public static final int SESSION_MEMORY = RC_WARN + 0x003;
    public static final int MEMORY = RC_WARN + 0x004;
    public static final int SESSION_HANDLES = RC_WARN + 0x005;
    public static final int OBJECT_HANDLES = RC_WARN + 0x006;
    public static final int LOCALITY = RC_WARN + 0x007;
    public static final int YIELDED = RC_WARN + 0x008;
    public static final int CANCELED = RC_WARN + 0x009;
    public static final int TESTING = RC_WARN + 0x00A;
    public static final int REFERENCE_H0 = RC_WARN + 0x010;
    public static final int REFERENCE_H1 = RC_WARN + 0x011;
    public static final int REFERENCE_H2 = RC_WARN + 0x012;
    public static final int REFERENCE_H3 = RC_WARN + 0x013;
    public static final int REFERENCE_H4 = RC_WARN + 0x014;
    public static final int REFERENCE_H5 = RC_WARN + 0x015;
    public static final int REFERENCE_H6 = RC_WARN + 0x016;
    public static final int REFERENCE_S0 = RC_WARN + 0x018;
    public static final int REFERENCE_S1 = RC_WARN + 0x019;
    public static final int REFERENCE_S2 = RC_WARN + 0x01A;
    public static final int REFERENCE_S3 = RC_WARN + 0x01B;
    public static final int REFERENCE_S4 = RC_WARN + 0x01C;
    public static final int REFERENCE_S5 = RC_WARN + 0x01D;
    public static final int REFERENCE_S6 = RC_WARN + 0x01E;
    public static final int NV_RATE = RC_WARN + 0x020;
    public static final int LOCKOUT = RC_WARN + 0x021;
    public static final int RETRY = RC_WARN + 0x022;
    public static final int NV_UNAVAILABLE = RC_WARN + 0x023;
    public static final int NOT_USED = RC_WARN + 0x07F;

    private static final int FMT1 = 0x080;
    private static final int FMT1_PARAMETER = 0x040;
    private static final int FMT1_SESSION = 0x800;
    private static final int VER1 = 0x100;
    private static final int VENDOR = 0x400;
    private static final int WARN = 0x800;
    /** Bits 12-15, reserved in both formats. */
    private static final int RESERVED = 0xF000;
    private static final int REFERENCES = 7;
    /** Where the command's name goes in a text. */
    private static final String COMMAND = "{command}";

    /** Which handle, parameter or session of the command a response code is about. */
    public record Location(Kind kind, int number) {
        public static final Location NONE = new Location(Kind.NONE, 0);

        public enum Kind {
            /** The code names no handle, parameter or session. */
            NONE, HANDLE, PARAMETER, SESSION
        }

        /** "handle 1", "parameter 2", "session 1"; "no handle, parameter or session" for {@link #NONE}. */
        @Override
        public String toString() {
            return kind == Kind.NONE ? "no handle, parameter or session"
                    : kind.name().toLowerCase(Locale.ROOT) + " " + number;
        }
    }

    private static final Map<Integer, String> NAMES = names();
    private static final Map<Integer, String> TEXTS = new HashMap<>();

    static {
        text(BAD_TAG, "the command's tag is not a TPM 2.0 tag (a TPM 1.2 command, or a corrupted request)");

        text(INITIALIZE, "the TPM has not been started (TPM2_Startup), or TPM2_Startup was sent to a TPM"
                + " already started");
        text(FAILURE, "the TPM is in failure mode after a failed self-test; only TPM2_GetTestResult and"
                + " TPM2_GetCapability work until the machine is power-cycled");
        text(SEQUENCE, "improper use of a hash, HMAC or event sequence handle; start a new sequence");
        text(PRIVATE, "reserved code that TPM 2.0 does not use");
        text(HMAC, "reserved code that TPM 2.0 does not use");
        text(DISABLED, "the command is disabled: the hierarchy or function was turned off"
                + " (TPM2_HierarchyControl, TPM2_ClearControl or the firmware settings)");
        text(EXCLUSIVE, "another command interrupted the exclusive audit session; restart the audited"
                + " sequence");
        text(AUTH_TYPE, "the authorization session is of the wrong type for this handle (for example a"
                + " password where a policy session is required)");
        text(AUTH_MISSING, "the command needs an authorization session for a handle, but none was sent");
        text(POLICY, "the policy is invalid: a bad authPolicy value or a policy calculation failed");
        text(PCR, "the PCR values do not match those in the policy: the system state differs from"
                + " when the policy was made");
        text(PCR_CHANGED, "the PCR values changed after the policy session checked them (TPM2_PolicyPCR);"
                + " restart the policy session and try again");
        text(UPGRADE, "the TPM is in field-upgrade mode (a firmware update is in progress) and refuses"
                + " this command; finish or abort the firmware update");
        text(TOO_MANY_CONTEXTS, "the TPM's context counter is exhausted; restart the TPM (reboot) before"
                + " saving more session contexts");
        text(AUTH_UNAVAILABLE, "this object cannot be authorized this way: its password or policy is not"
                + " usable for this role (userWithAuth / adminWithPolicy attributes); use the other method");
        text(REBOOT, "the TPM must be reset (_TPM_Init and TPM2_Startup(CLEAR), i.e. a reboot) before it"
                + " works again");
        text(UNBALANCED, "the hash and symmetric algorithms are not balanced: the digest must be at least"
                + " as large as the symmetric key; use a stronger hash or a smaller key");
        text(COMMAND_SIZE, "the command's size field does not match the bytes sent (a client bug)");
        text(COMMAND_CODE, "this TPM does not implement " + COMMAND);
        text(AUTHSIZE, "the authorization area has the wrong size, or more sessions were sent than the"
                + " command takes");
        text(AUTH_CONTEXT, "this command cannot take an authorization session, but one was sent");
        text(NV_RANGE, "the NV access goes past the end of the NV index; check offset and size");
        text(NV_SIZE, "the requested NV index size is larger than this TPM allows; define a smaller index");
        text(NV_LOCKED, "the NV index is locked against this access (read or write lock, or a global"
                + " write lock); it stays locked until the next TPM reset or for good");
        text(NV_AUTHORIZATION, "the NV index does not allow this kind of authorization for this access;"
                + " check its attributes (AUTHREAD, OWNERWRITE, POLICYREAD ...)");
        text(NV_UNINITIALIZED, "the NV index has never been written (or its saved state was lost); write"
                + " it before reading");
        text(NV_SPACE, "the TPM has no NV memory left for this index or persistent key; undefine unused"
                + " NV indices or evict persistent handles");
        text(NV_DEFINED, "an NV index or persistent object already exists at this handle; choose another"
                + " handle or remove the old one (TPM2_NV_UndefineSpace / TPM2_EvictControl)");
        text(BAD_CONTEXT, "the saved context cannot be loaded: it is corrupt, comes from another TPM, or"
                + " predates a TPM reset; load the object again from its key blob");
        text(CPHASH, "the policy session's cpHash or nameHash is already set or does not match this"
                + " command");
        text(PARENT, "the parent handle is not a storage key (a restricted decryption key such as the"
                + " SRK)");
        text(NEEDS_TEST, "an algorithm needs a self-test first; run TPM2_SelfTest and try again");
        text(NO_RESULT, "the TPM could not compute a result, usually because of an invalid parameter"
                + " combination (such as an ECC point at infinity)");
        text(SENSITIVE, "the key's private part does not decrypt correctly under this parent: the blob"
                + " belongs to another parent or is corrupted");

        text(ASYMMETRIC, "the asymmetric algorithm (RSA / ECC) is not supported or not valid here");
        text(ATTRIBUTES, "the object or NV attributes are inconsistent or do not allow this use (for"
                + " example signing with a key that lacks the sign attribute)");
        text(HASH, "the hash algorithm is not supported by this TPM or not allowed here");
        text(VALUE, "a value is out of range or not correct in this context");
        text(HIERARCHY, "the hierarchy is disabled or is the wrong one for this use");
        text(KEY_SIZE, "this key size is not supported by the TPM; use a supported size (RSA 2048,"
                + " AES 128 are always available)");
        text(MGF, "the mask generation function is not supported");
        text(MODE, "the symmetric cipher mode (CFB, CBC ...) is not supported");
        text(TYPE, "the object type is wrong for this command (for example an RSA key where an ECC key"
                + " is needed)");
        text(HANDLE, "the handle does not exist: the key or persistent handle is not loaded/persisted");
        text(KDF, "the key derivation function is not supported or not valid here");
        text(RANGE, "a value is outside its allowed range");
        text(AUTH_FAIL, "wrong password for this key; the dictionary-attack counter was increased");
        text(NONCE, "the session nonce has the wrong size or value");
        text(PP, "the command needs physical presence to be asserted (a platform firmware action)");
        text(SCHEME, "the signing or encryption scheme is not supported or does not match the key's"
                + " scheme");
        text(SIZE, "a structure or buffer has the wrong size (for example a digest whose length does not"
                + " match its hash algorithm)");
        text(SYMMETRIC, "the symmetric algorithm or its key size is not supported or not valid here");
        text(TAG, "a structure tag is wrong (the data belongs to another structure)");
        text(SELECTOR, "a union selector (algorithm or type) is not valid for this structure");
        text(INSUFFICIENT, "the input is too short: the TPM ran out of bytes while reading a value");
        text(SIGNATURE, "the signature does not verify");
        text(KEY, "the key's fields do not fit this use (for example a public point not on the curve)");
        text(POLICY_FAIL, "the policy session does not satisfy the object's policy (the policy digest"
                + " differs); run the same policy assertions as when the object was created");
        text(INTEGRITY, "integrity check failed: the key blob does not belong to this parent / this TPM"
                + " (or was modified)");
        text(TICKET, "the ticket is invalid: made by another TPM or hierarchy, or before a reset changed"
                + " the hierarchy's proof");
        text(RESERVED_BITS, "reserved bits of an attribute field are set; clear them");
        text(BAD_AUTH, "wrong authorization (password or HMAC); the dictionary-attack counter was not"
                + " affected");
        text(EXPIRED, "the policy session or ticket has expired; start a new policy session");
        text(POLICY_CC, "the policy session is bound to another command (TPM2_PolicyCommandCode), or"
                + " names a command this TPM does not implement");
        text(BINDING, "the public and private parts of the object do not belong together");
        text(CURVE, "this ECC curve is not supported by the TPM (NIST P-256 is the one all TPMs have)");
        text(ECC_POINT, "the ECC point is not on the required curve");
        text(FW_LIMITED, "the hierarchy is firmware-limited but the firmware secret is unavailable");
        text(SVN_LIMITED, "the hierarchy is SVN-limited but the firmware SVN secret for this SVN is"
                + " unavailable");

        text(CONTEXT_GAP, "the oldest saved session context is too old; load or flush old sessions"
                + " (TPM2_ContextLoad / TPM2_FlushContext)");
        text(OBJECT_MEMORY, "the TPM has no free slot for another loaded object; flush loaded keys");
        text(SESSION_MEMORY, "the TPM has no free slot for another session; flush unused sessions");
        text(MEMORY, "the TPM is out of internal memory; flush loaded objects and sessions");
        text(SESSION_HANDLES, "the TPM has no session handles left; flush a session before starting"
                + " another");
        text(OBJECT_HANDLES, "the TPM has no object handles left; it needs a reboot");
        text(LOCALITY, "the command is not allowed from this locality");
        text(YIELDED, "the TPM paused the command; send it again to continue");
        text(CANCELED, "the command was canceled; send it again");
        text(TESTING, "the TPM is running self-tests; try again shortly");
        for (int i = 0; i < REFERENCES; i++) {
            text(REFERENCE_H0 + i, "the handle refers to a transient object or session that is not loaded;"
                    + " load it again");
            text(REFERENCE_S0 + i, "the session is not loaded; start the session again or load its saved"
                    + " context");
        }
        text(NV_RATE, "the TPM is rate-limiting NV writes to prevent wear; wait and try again");
        text(LOCKOUT, "the TPM is in dictionary-attack lockout and refuses passwords; wait for the lockout"
                + " recovery time or reset it with the lockout authorization");
        text(RETRY, "the TPM could not start the command now; try again");
        text(NV_UNAVAILABLE, "the TPM's NV memory is temporarily unavailable; try again later");
        text(NOT_USED, "reserved code that a TPM never returns");
    }

    private static void text(int code, String text) {
        TEXTS.put(code, text);
    }

    /** The spec names, from this class's constants; RC_VER1, RC_FMT1 and RC_WARN only mark ranges. */
    private static Map<Integer, String> names() {
        Map<Integer, String> names = new HashMap<>();
        for (Field f : TpmRc.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && !f.getName().startsWith("RC_")) {
                try {
                    names.put(f.getInt(null), "TPM_RC_" + f.getName());
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return names;
    }

    /**
     * The code without its handle / parameter / session number: for format one RC_FMT1 + the error
     * number (compare with {@link #AUTH_FAIL} ...); format-zero codes are returned as they are. A
     * TPM-format code relayed by a resource manager loses its TSS2 layer; other TSS2 codes stay.
     */
    public static int base(int rc) {
        int code = tpmCode(rc);
        if (code < 0) {
            return rc;
        }
        return isFormatOne(code) ? code & (FMT1 | 0x3F) : code;
    }

    /** The spec name ("TPM_RC_AUTH_FAIL", "TSS2_TCTI_RC_IO_ERROR"), or a description with the hex value. */
    public static String name(int rc) {
        int code = tpmCode(rc);
        if (code < 0) {
            return Tss2Rc.name(rc);
        }
        String name = NAMES.get(base(code));
        if (name != null) {
            return name;
        }
        if ((code & (FMT1 | VER1)) == 0) {
            return String.format("TPM 1.2 response code 0x%08x", rc);
        }
        if (!isFormatOne(code) && (code & VENDOR) != 0) {
            return String.format("vendor-specific TPM_RC 0x%08x", rc);
        }
        return String.format("unknown TPM_RC 0x%08x", rc);
    }

    /**
     * Which handle, parameter or session the code is about, numbered from 1 as in the spec. Format
     * one says so in its N field (0 there means the TPM did not say); TPM_RC_REFERENCE_Hn and
     * TPM_RC_REFERENCE_Sn name handle / session n + 1.
     */
    public static Location location(int rc) {
        int code = tpmCode(rc);
        if (code < 0) {
            return Location.NONE;
        }
        if (isFormatOne(code)) {
            int n = (code >>> 8) & 0xF;
            if ((code & FMT1_PARAMETER) != 0) {
                return n == 0 ? Location.NONE : new Location(Location.Kind.PARAMETER, n);
            }
            int index = n & 0x7;
            if (index == 0) {
                return Location.NONE;
            }
            return new Location((code & FMT1_SESSION) != 0 ? Location.Kind.SESSION : Location.Kind.HANDLE, index);
        }
        if (code >= REFERENCE_H0 && code < REFERENCE_H0 + REFERENCES) {
            return new Location(Location.Kind.HANDLE, code - REFERENCE_H0 + 1);
        }
        if (code >= REFERENCE_S0 && code < REFERENCE_S0 + REFERENCES) {
            return new Location(Location.Kind.SESSION, code - REFERENCE_S0 + 1);
        }
        return Location.NONE;
    }

    /**
     * One sentence for a person: "TPM2_Sign failed: TPM_RC_AUTH_FAIL (session 1): wrong password for
     * this key; ...". Codes outside the spec still give a sentence with their hex value.
     */
    public static String describe(int commandCode, int rc) {
        String command = TpmCc.nameOf(commandCode);
        if (rc == SUCCESS) {
            return command + " succeeded";
        }
        int code = tpmCode(rc);
        if (code < 0) {
            return command + " failed: " + Tss2Rc.explain(rc);
        }
        Location where = location(code);
        return command + " failed: " + name(rc)
                + (where.kind() == Location.Kind.NONE ? "" : " (" + where + ")")
                + Tss2Rc.relayedBy(rc)
                + ": " + text(code).replace(COMMAND, command);
    }

    private static String text(int code) {
        String text = TEXTS.get(base(code));
        if (text != null) {
            return text;
        }
        if (isFormatOne(code)) {
            return String.format("format-one error 0x%02x is not defined by TPM 2.0 Part 2; the TPM may be"
                    + " newer than tpmauth", code & 0x3F);
        }
        if ((code & VER1) == 0) {
            return "a TPM 1.2 response; this device is a TPM 1.2 (or runs TPM 1.2 firmware) and tpmauth"
                    + " needs a TPM 2.0";
        }
        String kind = (code & WARN) != 0 ? "warning" : "error";
        if ((code & VENDOR) != 0) {
            return String.format("the TPM manufacturer defines this %s (number 0x%02x); see the vendor's"
                    + " documentation or update the TPM firmware", kind, code & 0x7F);
        }
        return String.format("format-zero %s 0x%02x is not defined by TPM 2.0 Part 2; the TPM may be newer"
                + " than tpmauth", kind, code & 0x7F);
    }

    private static boolean isFormatOne(int code) {
        return (code & FMT1) != 0;
    }

    /** The 16-bit TPM-format code inside rc, or -1 when rc is a TSS2 code or sets reserved bits. */
    private static int tpmCode(int rc) {
        if (!Tss2Rc.isTpmFormat(rc)) {
            return -1;
        }
        int code = rc & 0xFFFF;
        return (code & RESERVED) == 0 ? code : -1;
    }
}
