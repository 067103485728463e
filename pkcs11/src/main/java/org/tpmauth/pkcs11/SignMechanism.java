package org.tpmauth.pkcs11;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.tpmauth.tss.types.TpmAlg;

/**
 * The signature mechanisms of the token: which key type each needs, whether the token hashes the data
 * first (the CKM_SHAxxx_ / _SHAxxx forms) and which padding signs the result.
 */
enum SignMechanism {
    ECDSA(Pkcs11.CKM_ECDSA, false, null, Padding.ECDSA),
    ECDSA_SHA1(Pkcs11.CKM_ECDSA_SHA1, false, TpmAlg.SHA1, Padding.ECDSA),
    ECDSA_SHA256(Pkcs11.CKM_ECDSA_SHA256, false, TpmAlg.SHA256, Padding.ECDSA),
    ECDSA_SHA384(Pkcs11.CKM_ECDSA_SHA384, false, TpmAlg.SHA384, Padding.ECDSA),
    ECDSA_SHA512(Pkcs11.CKM_ECDSA_SHA512, false, TpmAlg.SHA512, Padding.ECDSA),
    RSA_PKCS(Pkcs11.CKM_RSA_PKCS, true, null, Padding.PKCS1),
    SHA1_RSA_PKCS(Pkcs11.CKM_SHA1_RSA_PKCS, true, TpmAlg.SHA1, Padding.PKCS1),
    SHA256_RSA_PKCS(Pkcs11.CKM_SHA256_RSA_PKCS, true, TpmAlg.SHA256, Padding.PKCS1),
    SHA384_RSA_PKCS(Pkcs11.CKM_SHA384_RSA_PKCS, true, TpmAlg.SHA384, Padding.PKCS1),
    SHA512_RSA_PKCS(Pkcs11.CKM_SHA512_RSA_PKCS, true, TpmAlg.SHA512, Padding.PKCS1),
    RSA_PKCS_PSS(Pkcs11.CKM_RSA_PKCS_PSS, true, null, Padding.PSS),
    SHA1_RSA_PKCS_PSS(Pkcs11.CKM_SHA1_RSA_PKCS_PSS, true, TpmAlg.SHA1, Padding.PSS),
    SHA256_RSA_PKCS_PSS(Pkcs11.CKM_SHA256_RSA_PKCS_PSS, true, TpmAlg.SHA256, Padding.PSS),
    SHA384_RSA_PKCS_PSS(Pkcs11.CKM_SHA384_RSA_PKCS_PSS, true, TpmAlg.SHA384, Padding.PSS),
    SHA512_RSA_PKCS_PSS(Pkcs11.CKM_SHA512_RSA_PKCS_PSS, true, TpmAlg.SHA512, Padding.PSS),
    RSA_X_509(Pkcs11.CKM_RSA_X_509, true, null, Padding.RAW);

    /** How the (hashed) input becomes a signature. */
    enum Padding { ECDSA, PKCS1, PSS, RAW }

    final long type;
    final boolean rsa;
    /** The hash the token applies to the data first, or null when the caller hands over prepared input. */
    final TpmAlg hash;
    final Padding padding;

    SignMechanism(long type, boolean rsa, TpmAlg hash, Padding padding) {
        this.type = type;
        this.rsa = rsa;
        this.hash = hash;
        this.padding = padding;
    }

    static Optional<SignMechanism> of(long type) {
        return Arrays.stream(values()).filter(m -> m.type == type).findFirst();
    }

    private static final Map<Long, TpmAlg> DIGESTS = Map.of(Pkcs11.CKM_SHA_1, TpmAlg.SHA1, Pkcs11.CKM_SHA256,
            TpmAlg.SHA256, Pkcs11.CKM_SHA384, TpmAlg.SHA384, Pkcs11.CKM_SHA512, TpmAlg.SHA512);
    private static final Map<Long, TpmAlg> MGFS = Map.of(Pkcs11.CKG_MGF1_SHA1, TpmAlg.SHA1, Pkcs11.CKG_MGF1_SHA256,
            TpmAlg.SHA256, Pkcs11.CKG_MGF1_SHA384, TpmAlg.SHA384, Pkcs11.CKG_MGF1_SHA512, TpmAlg.SHA512);

    /** The hash of a PKCS#11 digest mechanism (CKM_SHA256 ...), for PSS parameters. */
    static Optional<TpmAlg> hashOfDigestMechanism(long type) {
        return Optional.ofNullable(DIGESTS.get(type));
    }

    /** The hash of an MGF1 generator (CKG_MGF1_SHA256 ...). */
    static Optional<TpmAlg> hashOfMgf(long mgf) {
        return Optional.ofNullable(MGFS.get(mgf));
    }
}
