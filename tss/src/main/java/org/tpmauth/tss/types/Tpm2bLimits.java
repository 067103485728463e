package org.tpmauth.tss.types;

/**
 * Upper bounds of the TPM2B buffers used by key structures and commands (Part 2, the buffer sizes
 * of TPM2B_DIGEST, TPM2B_NAME, TPM2B_PUBLIC_KEY_RSA ...), for {@code TpmReader.sized(max)}. Where
 * the spec leaves a size to the implementation the bound is generous for any real TPM.
 */
public final class Tpm2bLimits {
    private Tpm2bLimits() {
    }

    /** TPM2B_DIGEST: sizeof(TPMU_HA), the largest digest (SHA-512). */
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
}
