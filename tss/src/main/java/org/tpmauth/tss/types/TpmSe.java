package org.tpmauth.tss.types;

/** TPM_SE: the session types of TPM2_StartAuthSession. */
public final class TpmSe {
    private TpmSe() {
    }

    /** An HMAC authorization session. */
    public static final int HMAC = 0x00;
    /** A policy session. */
    public static final int POLICY = 0x01;
    /** A trial policy session: computes a policy digest, authorizes nothing. */
    public static final int TRIAL = 0x03;
}
