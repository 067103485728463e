package org.tpmauth.tss.keys;

import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmEccCurve;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtKdfScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.types.TpmuPublicParms;

/** Key templates (TPMT_PUBLIC with empty unique fields) for the keys tpmauth creates. */
public final class KeyTemplates {
    private KeyTemplates() {
    }

    /** fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth. */
    private static final int BASE = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
            | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.USER_WITH_AUTH;

    /** A storage key's attributes: restricted decrypt, noDA (0x00030472). */
    private static final int STORAGE = BASE | TpmaObject.NO_DA | TpmaObject.RESTRICTED | TpmaObject.DECRYPT;

    /**
     * The storage primary key that a TSS2 key file with parent TPM_RH_OWNER is loaded under: the ECC
     * P-256 SRK template tpm2-openssl, tpm2-tss-engine, openconnect and the kernel re-create (TCG
     * provisioning guidance, attributes 0x00030472, AES-128-CFB, empty unique).
     */
    public static TpmtPublic storagePrimaryEcc() {
        return new TpmtPublic(TpmAlg.SHA256, STORAGE, new TpmuPublicParms.Ecc(TpmtSymDefObject.AES_128_CFB,
                TpmtAsymScheme.NULL, TpmEccCurve.NIST_P256, TpmtKdfScheme.NULL));
    }

    /** The RSA-2048 storage primary (same attributes), for TPMs without ECC. */
    public static TpmtPublic storagePrimaryRsa() {
        return new TpmtPublic(TpmAlg.SHA256, STORAGE, new TpmuPublicParms.Rsa(TpmtSymDefObject.AES_128_CFB,
                TpmtAsymScheme.NULL, 2048, 0));
    }

    /**
     * A signing key as tpm2-openssl makes it: sign and decrypt, NULL scheme (so each signature picks
     * ECDSA, PKCS#1 v1.5 or PSS and its hash), no symmetric part. A key without a password gets
     * noDA, so that unclean shutdowns never lock it out; a key with a password keeps dictionary-attack
     * protection, which is what stops password guessing.
     */
    public static TpmtPublic signingKey(KeyAlgorithm algorithm, boolean hasPassword) {
        return signingKey(algorithm, hasPassword, new byte[0], null);
    }

    /**
     * A signing key as {@link #signingKey(KeyAlgorithm, boolean)} whose use needs {@code authPolicy} (a
     * policy digest; empty for none): with a policy, userWithAuth is clear, so a password alone never
     * authorizes it. With a {@code fixedScheme} (null for none) the key signs with that scheme and hash
     * only and is sign-only: the TPM allows a scheme only on a key that does not also decrypt.
     */
    public static TpmtPublic signingKey(KeyAlgorithm algorithm, boolean hasPassword, byte[] authPolicy,
            KeyScheme fixedScheme) {
        TpmtAsymScheme scheme = TpmtAsymScheme.NULL;
        if (fixedScheme != null) {
            fixedScheme.requireFits(algorithm);
            scheme = fixedScheme.asymScheme();
        }
        int attributes = (BASE & ~(authPolicy.length > 0 ? TpmaObject.USER_WITH_AUTH : 0))
                | TpmaObject.SIGN_ENCRYPT | (fixedScheme == null ? TpmaObject.DECRYPT : 0)
                | (hasPassword ? 0 : TpmaObject.NO_DA);
        TpmuPublicParms parms = algorithm.isEcc()
                ? new TpmuPublicParms.Ecc(TpmtSymDefObject.NULL, scheme, algorithm.curve(), TpmtKdfScheme.NULL)
                : new TpmuPublicParms.Rsa(TpmtSymDefObject.NULL, scheme, algorithm.rsaBits(), 0);
        return new TpmtPublic(TpmAlg.SHA256, attributes, authPolicy, parms,
                new TpmtPublic(TpmAlg.SHA256, attributes, parms).unique());
    }
}
