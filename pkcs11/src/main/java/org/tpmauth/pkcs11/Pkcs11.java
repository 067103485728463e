package org.tpmauth.pkcs11;

/** The PKCS#11 2.40 numbers this token uses (CK_RV, attribute, class, key, mechanism and flag values). */
public final class Pkcs11 {
    private Pkcs11() {
    }

    // CK_RV
    public static final long CKR_OK = 0x0;
    public static final long CKR_HOST_MEMORY = 0x2;
    public static final long CKR_SLOT_ID_INVALID = 0x3;
    public static final long CKR_GENERAL_ERROR = 0x5;
    public static final long CKR_FUNCTION_FAILED = 0x6;
    public static final long CKR_ARGUMENTS_BAD = 0x7;
    public static final long CKR_ATTRIBUTE_SENSITIVE = 0x11;
    public static final long CKR_ATTRIBUTE_TYPE_INVALID = 0x12;
    public static final long CKR_DATA_LEN_RANGE = 0x21;
    public static final long CKR_DEVICE_ERROR = 0x30;
    public static final long CKR_FUNCTION_NOT_SUPPORTED = 0x54;
    public static final long CKR_KEY_HANDLE_INVALID = 0x60;
    public static final long CKR_KEY_TYPE_INCONSISTENT = 0x63;
    public static final long CKR_KEY_FUNCTION_NOT_PERMITTED = 0x68;
    public static final long CKR_MECHANISM_INVALID = 0x70;
    public static final long CKR_MECHANISM_PARAM_INVALID = 0x71;
    public static final long CKR_OBJECT_HANDLE_INVALID = 0x82;
    public static final long CKR_OPERATION_ACTIVE = 0x90;
    public static final long CKR_OPERATION_NOT_INITIALIZED = 0x91;
    public static final long CKR_PIN_INCORRECT = 0xa0;
    public static final long CKR_PIN_LOCKED = 0xa4;
    public static final long CKR_SESSION_HANDLE_INVALID = 0xb3;
    public static final long CKR_SESSION_PARALLEL_NOT_SUPPORTED = 0xb4;
    public static final long CKR_SESSION_READ_ONLY = 0xb5;
    public static final long CKR_TEMPLATE_INCONSISTENT = 0xd1;
    public static final long CKR_TOKEN_WRITE_PROTECTED = 0xe2;
    public static final long CKR_USER_ALREADY_LOGGED_IN = 0x100;
    public static final long CKR_USER_NOT_LOGGED_IN = 0x101;
    public static final long CKR_USER_TYPE_INVALID = 0x103;
    public static final long CKR_BUFFER_TOO_SMALL = 0x150;
    public static final long CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;

    // CK_ATTRIBUTE_TYPE
    public static final long CKA_CLASS = 0x0;
    public static final long CKA_TOKEN = 0x1;
    public static final long CKA_PRIVATE = 0x2;
    public static final long CKA_LABEL = 0x3;
    public static final long CKA_VALUE = 0x11;
    public static final long CKA_CERTIFICATE_TYPE = 0x80;
    public static final long CKA_ISSUER = 0x81;
    public static final long CKA_SERIAL_NUMBER = 0x82;
    public static final long CKA_TRUSTED = 0x86;
    public static final long CKA_CERTIFICATE_CATEGORY = 0x87;
    public static final long CKA_KEY_TYPE = 0x100;
    public static final long CKA_SUBJECT = 0x101;
    public static final long CKA_ID = 0x102;
    public static final long CKA_SENSITIVE = 0x103;
    public static final long CKA_ENCRYPT = 0x104;
    public static final long CKA_DECRYPT = 0x105;
    public static final long CKA_WRAP = 0x106;
    public static final long CKA_UNWRAP = 0x107;
    public static final long CKA_SIGN = 0x108;
    public static final long CKA_SIGN_RECOVER = 0x109;
    public static final long CKA_VERIFY = 0x10a;
    public static final long CKA_VERIFY_RECOVER = 0x10b;
    public static final long CKA_DERIVE = 0x10c;
    public static final long CKA_MODULUS = 0x120;
    public static final long CKA_MODULUS_BITS = 0x121;
    public static final long CKA_PUBLIC_EXPONENT = 0x122;
    public static final long CKA_PRIVATE_EXPONENT = 0x123;
    public static final long CKA_PRIME_1 = 0x124;
    public static final long CKA_PRIME_2 = 0x125;
    public static final long CKA_EXPONENT_1 = 0x126;
    public static final long CKA_EXPONENT_2 = 0x127;
    public static final long CKA_COEFFICIENT = 0x128;
    public static final long CKA_PUBLIC_KEY_INFO = 0x129;
    public static final long CKA_EXTRACTABLE = 0x162;
    public static final long CKA_LOCAL = 0x163;
    public static final long CKA_NEVER_EXTRACTABLE = 0x164;
    public static final long CKA_ALWAYS_SENSITIVE = 0x165;
    public static final long CKA_KEY_GEN_MECHANISM = 0x166;
    public static final long CKA_MODIFIABLE = 0x170;
    public static final long CKA_COPYABLE = 0x171;
    public static final long CKA_DESTROYABLE = 0x172;
    public static final long CKA_EC_PARAMS = 0x180;
    public static final long CKA_EC_POINT = 0x181;
    public static final long CKA_ALWAYS_AUTHENTICATE = 0x202;
    public static final long CKA_WRAP_TEMPLATE = 0x40000211;
    public static final long CKA_UNWRAP_TEMPLATE = 0x40000212;
    public static final long CKA_ALLOWED_MECHANISMS = 0x40000600;
    public static final long CKA_START_DATE = 0x110;
    public static final long CKA_END_DATE = 0x111;

    // CK_OBJECT_CLASS, CK_KEY_TYPE, CK_CERTIFICATE_TYPE
    public static final long CKO_CERTIFICATE = 0x1;
    public static final long CKO_PUBLIC_KEY = 0x2;
    public static final long CKO_PRIVATE_KEY = 0x3;
    public static final long CKK_RSA = 0x0;
    public static final long CKK_EC = 0x3;
    public static final long CKC_X_509 = 0x0;

    // CK_MECHANISM_TYPE
    public static final long CKM_RSA_PKCS = 0x1;
    public static final long CKM_RSA_X_509 = 0x3;
    public static final long CKM_SHA1_RSA_PKCS = 0x6;
    public static final long CKM_RSA_PKCS_OAEP = 0x9;
    public static final long CKM_RSA_PKCS_PSS = 0xd;
    public static final long CKM_SHA1_RSA_PKCS_PSS = 0xe;
    public static final long CKM_SHA256_RSA_PKCS = 0x40;
    public static final long CKM_SHA384_RSA_PKCS = 0x41;
    public static final long CKM_SHA512_RSA_PKCS = 0x42;
    public static final long CKM_SHA256_RSA_PKCS_PSS = 0x43;
    public static final long CKM_SHA384_RSA_PKCS_PSS = 0x44;
    public static final long CKM_SHA512_RSA_PKCS_PSS = 0x45;
    public static final long CKM_SHA_1 = 0x220;
    public static final long CKM_SHA256 = 0x250;
    public static final long CKM_SHA384 = 0x260;
    public static final long CKM_SHA512 = 0x270;
    public static final long CKM_ECDSA = 0x1041;
    public static final long CKM_ECDSA_SHA1 = 0x1042;
    public static final long CKM_ECDSA_SHA256 = 0x1044;
    public static final long CKM_ECDSA_SHA384 = 0x1045;
    public static final long CKM_ECDSA_SHA512 = 0x1046;

    // CK_RSA_PKCS_MGF_TYPE
    public static final long CKG_MGF1_SHA1 = 0x1;
    public static final long CKG_MGF1_SHA256 = 0x2;
    public static final long CKG_MGF1_SHA384 = 0x3;
    public static final long CKG_MGF1_SHA512 = 0x4;

    // flags
    public static final long CKF_TOKEN_PRESENT = 0x1;
    public static final long CKF_HW_SLOT = 0x4;
    public static final long CKF_RNG = 0x1;
    public static final long CKF_WRITE_PROTECTED = 0x2;
    public static final long CKF_LOGIN_REQUIRED = 0x4;
    public static final long CKF_USER_PIN_INITIALIZED = 0x8;
    public static final long CKF_TOKEN_INITIALIZED = 0x400;
    public static final long CKF_USER_PIN_LOCKED = 0x40000;
    public static final long CKF_RW_SESSION = 0x2;
    public static final long CKF_SERIAL_SESSION = 0x4;
    public static final long CKF_HW = 0x1;
    public static final long CKF_SIGN = 0x800;

    // CK_USER_TYPE, CK_STATE
    public static final long CKU_SO = 0;
    public static final long CKU_USER = 1;
    public static final long CKU_CONTEXT_SPECIFIC = 2;
    public static final long CKS_RO_PUBLIC_SESSION = 0;
    public static final long CKS_RO_USER_FUNCTIONS = 1;
    public static final long CKS_RW_PUBLIC_SESSION = 2;
    public static final long CKS_RW_USER_FUNCTIONS = 3;

    /** CK_UNAVAILABLE_INFORMATION, (CK_ULONG) -1. */
    public static final long UNAVAILABLE = -1L;
}
