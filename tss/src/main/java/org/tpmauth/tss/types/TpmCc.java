package org.tpmauth.tss.types;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/** TPM_CC command codes (Part 2, table "TPM_CC"). */
public final class TpmCc {
    private TpmCc() {
    }

    public static final int NV_UndefineSpaceSpecial = 0x11F;
    public static final int EvictControl = 0x120;
    public static final int HierarchyControl = 0x121;
    public static final int NV_UndefineSpace = 0x122;
    public static final int ChangeEPS = 0x124;
    public static final int ChangePPS = 0x125;
    public static final int Clear = 0x126;
    public static final int ClearControl = 0x127;
    public static final int ClockSet = 0x128;
    public static final int HierarchyChangeAuth = 0x129;
    public static final int NV_DefineSpace = 0x12A;
    public static final int PCR_Allocate = 0x12B;
    public static final int PCR_SetAuthPolicy = 0x12C;
    public static final int PP_Commands = 0x12D;
    public static final int SetPrimaryPolicy = 0x12E;
    public static final int FieldUpgradeStart = 0x12F;
    public static final int ClockRateAdjust = 0x130;
    public static final int CreatePrimary = 0x131;
    public static final int NV_GlobalWriteLock = 0x132;
    public static final int GetCommandAuditDigest = 0x133;
    public static final int NV_Increment = 0x134;
    public static final int NV_SetBits = 0x135;
    public static final int NV_Extend = 0x136;
    public static final int NV_Write = 0x137;
    public static final int NV_WriteLock = 0x138;
    public static final int DictionaryAttackLockReset = 0x139;
    public static final int DictionaryAttackParameters = 0x13A;
    public static final int NV_ChangeAuth = 0x13B;
    public static final int PCR_Event = 0x13C;
    public static final int PCR_Reset = 0x13D;
    public static final int SequenceComplete = 0x13E;
    public static final int SetAlgorithmSet = 0x13F;
    public static final int SetCommandCodeAuditStatus = 0x140;
    public static final int FieldUpgradeData = 0x141;
    public static final int IncrementalSelfTest = 0x142;
    public static final int SelfTest = 0x143;
    public static final int Startup = 0x144;
    public static final int Shutdown = 0x145;
    public static final int StirRandom = 0x146;
    public static final int ActivateCredential = 0x147;
    public static final int Certify = 0x148;
    public static final int PolicyNV = 0x149;
    public static final int CertifyCreation = 0x14A;
    public static final int Duplicate = 0x14B;
    public static final int GetTime = 0x14C;
    public static final int GetSessionAuditDigest = 0x14D;
    public static final int NV_Read = 0x14E;
    public static final int NV_ReadLock = 0x14F;
    public static final int ObjectChangeAuth = 0x150;
    public static final int PolicySecret = 0x151;
    public static final int Rewrap = 0x152;
    public static final int Create = 0x153;
    public static final int ECDH_ZGen = 0x154;
    public static final int HMAC = 0x155;
    public static final int Import = 0x156;
    public static final int Load = 0x157;
    public static final int Quote = 0x158;
    public static final int RSA_Decrypt = 0x159;
    public static final int HMAC_Start = 0x15B;
    public static final int SequenceUpdate = 0x15C;
    public static final int Sign = 0x15D;
    public static final int Unseal = 0x15E;
    public static final int PolicySigned = 0x160;
    public static final int ContextLoad = 0x161;
    public static final int ContextSave = 0x162;
    public static final int ECDH_KeyGen = 0x163;
    public static final int EncryptDecrypt = 0x164;
    public static final int FlushContext = 0x165;
    public static final int LoadExternal = 0x167;
    public static final int MakeCredential = 0x168;
    public static final int NV_ReadPublic = 0x169;
    public static final int PolicyAuthorize = 0x16A;
    public static final int PolicyAuthValue = 0x16B;
    public static final int PolicyCommandCode = 0x16C;
    public static final int PolicyCounterTimer = 0x16D;
    public static final int PolicyCpHash = 0x16E;
    public static final int PolicyLocality = 0x16F;
    public static final int PolicyNameHash = 0x170;
    public static final int PolicyOR = 0x171;
    public static final int PolicyTicket = 0x172;
    public static final int ReadPublic = 0x173;
    public static final int RSA_Encrypt = 0x174;
    public static final int StartAuthSession = 0x176;
    public static final int VerifySignature = 0x177;
    public static final int ECC_Parameters = 0x178;
    public static final int FirmwareRead = 0x179;
    public static final int GetCapability = 0x17A;
    public static final int GetRandom = 0x17B;
    public static final int GetTestResult = 0x17C;
    public static final int Hash = 0x17D;
    public static final int PCR_Read = 0x17E;
    public static final int PolicyPCR = 0x17F;
    public static final int PolicyRestart = 0x180;
    public static final int ReadClock = 0x181;
    public static final int PCR_Extend = 0x182;
    public static final int PCR_SetAuthValue = 0x183;
    public static final int NV_Certify = 0x184;
    public static final int EventSequenceComplete = 0x185;
    public static final int HashSequenceStart = 0x186;
    public static final int PolicyPhysicalPresence = 0x187;
    public static final int PolicyDuplicationSelect = 0x188;
    public static final int PolicyGetDigest = 0x189;
    public static final int TestParms = 0x18A;
    public static final int Commit = 0x18B;
    public static final int PolicyPassword = 0x18C;
    public static final int ZGen_2Phase = 0x18D;
    public static final int EC_Ephemeral = 0x18E;
    public static final int PolicyNvWritten = 0x18F;
    public static final int PolicyTemplate = 0x190;
    public static final int CreateLoaded = 0x191;
    public static final int PolicyAuthorizeNV = 0x192;
    public static final int EncryptDecrypt2 = 0x193;

    private static final Map<Integer, String> NAMES = new HashMap<>();
    /** "TPM2_Sign response" ..., spelled once: the facade names every response it reads. */
    private static final Map<Integer, String> RESPONSE_NAMES = new HashMap<>();

    static {
        for (Field f : TpmCc.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                try {
                    NAMES.put(f.getInt(null), "TPM2_" + f.getName());
                    RESPONSE_NAMES.put(f.getInt(null), "TPM2_" + f.getName() + " response");
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    /** The code of a command named "Sign", "TPM2_Sign" or "TPM2_CC_Sign" (any case), if there is one. */
    public static java.util.OptionalInt byName(String name) {
        String bare = name.replaceFirst("(?i)^TPM2?_(CC_)?", "");
        return NAMES.entrySet().stream().filter(e -> e.getValue().substring(5).equalsIgnoreCase(bare))
                .mapToInt(Map.Entry::getKey).findFirst();
    }

    /** "TPM2_Sign response" for 0x15D: {@link #nameOf} and " response". */
    public static String responseNameOf(int code) {
        String name = RESPONSE_NAMES.get(code);
        return name != null ? name : nameOf(code) + " response";
    }

    /** "TPM2_Sign" for 0x15D, or the hex code when unknown. */
    public static String nameOf(int code) {
        String name = NAMES.get(code);
        return name != null ? name : String.format("command 0x%08x", code);
    }
}
