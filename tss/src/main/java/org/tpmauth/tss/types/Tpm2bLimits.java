package org.tpmauth.tss.types;

/**
 * The largest sizes the TPM2B buffers may declare (Part 2, each TPM2B's "size" bound), for
 * {@code TpmReader.sized(max)}, for a TPM whose largest hash is SHA-512 and largest RSA key 4096
 * bits. Where the spec leaves a size to the implementation the bound is generous for any real TPM.
 */
public final class Tpm2bLimits {
    private Tpm2bLimits() {
    }

    /** TPM2B_DIGEST, TPM2B_NONCE: sizeof(TPMU_HA), the largest digest (SHA-512). */
    public static final int DIGEST = 64;
    /** TPM2B_AUTH: a digest-sized auth value. */
    public static final int AUTH = DIGEST;
    /** TPM2B_NAME: sizeof(TPMU_NAME), a hash algorithm id and a digest. */
    public static final int NAME = 2 + DIGEST;
    /** TPM2B_DATA: sizeof(TPMT_HA). */
    public static final int DATA = 2 + DIGEST;
    /** TPM2B_PUBLIC_KEY_RSA: MAX_RSA_KEY_BYTES for RSA-4096. */
    public static final int PUBLIC_KEY_RSA = 512;
    /** TPM2B_ECC_PARAMETER: MAX_ECC_KEY_BYTES, generous for every TPM curve. */
    public static final int ECC_PARAMETER = 128;
    /** TPM2B_SENSITIVE_DATA: MAX_SYM_DATA. */
    public static final int SENSITIVE_DATA = 128;
    /**
     * TPM2B_PRIVATE: sizeof(_PRIVATE), about 1500 bytes for an RSA-4096 key with its CRT values;
     * rounded up.
     */
    public static final int PRIVATE = 2048;
    /** TPM2B_CONTEXT_DATA: implementation dependent; libtpms needs up to 2692 bytes for an object. */
    public static final int CONTEXT_DATA = 5120;
    /** TPM2B_MAX_NV_BUFFER: MAX_NV_BUFFER_SIZE. */
    public static final int MAX_NV_BUFFER = 2048;
    /** TPM2B_ID_OBJECT: sizeof(TPMS_ID_OBJECT), an integrity HMAC and the encrypted identity. */
    public static final int ID_OBJECT = 2 * (2 + DIGEST);
    /** TPM2B_ENCRYPTED_SECRET: sizeof(TPMU_ENCRYPTED_SECRET), an RSA-4096 block at most. */
    public static final int ENCRYPTED_SECRET = 512;
}
