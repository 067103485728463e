package org.tpmauth.tss.types;

/**
 * The largest sizes the TPM2B buffers may declare (Part 2, each TPM2B's "size" bound), for a TPM
 * whose largest hash is SHA-512 and largest RSA key 4096 bits. Where implementations differ, the
 * bound of tpm2-tss is used so that no real TPM's answer is refused.
 */
public final class Tpm2bLimits {
    private Tpm2bLimits() {
    }

    /** TPM2B_DIGEST, TPM2B_AUTH, TPM2B_NONCE: sizeof(TPMU_HA). */
    public static final int DIGEST = 64;
    /** TPM2B_NAME and TPM2B_DATA: sizeof(TPMT_HA), a hash algorithm id and digest. */
    public static final int NAME = 2 + DIGEST;
    public static final int DATA = 2 + DIGEST;
    /** TPM2B_MAX_NV_BUFFER: MAX_NV_BUFFER_SIZE. */
    public static final int MAX_NV_BUFFER = 2048;
    /** TPM2B_ID_OBJECT: sizeof(TPMS_ID_OBJECT), an integrity HMAC and the encrypted identity. */
    public static final int ID_OBJECT = 2 * (2 + DIGEST);
    /** TPM2B_ENCRYPTED_SECRET: sizeof(TPMU_ENCRYPTED_SECRET), an RSA-4096 block at most. */
    public static final int ENCRYPTED_SECRET = 512;
}
