package org.tpmauth.tss.fapi.policy;

import java.security.PublicKey;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicParms;

/**
 * The public area FAPI derives from a policy's {@code keyPEM} (PolicySigned, PolicyAuthorize), whose
 * Name the policy digest covers: attributes sign only, symmetric NULL, ECDSA or the given RSA scheme
 * with {@code keyPEMhashAlg}, that hash as name algorithm, and an RSA exponent written out (65537).
 */
final class PemKeys {
    private PemKeys() {
    }

    /** Reads a PEM SubjectPublicKeyInfo (RSA or EC); null when it is neither. */
    static PublicKey parse(String pem) {
        try {
            return PublicKeys.fromPem(pem);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static TpmtPublic publicArea(PublicKey key, TpmAlg hashAlg, TpmtAsymScheme rsaScheme) {
        boolean rsa = key.getAlgorithm().equals("RSA");
        TpmtPublic p = TpmtPublic.ofPublicKey(key, hashAlg, TpmaObject.SIGN_ENCRYPT,
                rsa ? rsaScheme : TpmtAsymScheme.ecdsa(hashAlg));
        if (p.parameters() instanceof TpmuPublicParms.Rsa r && r.exponent() == 0) {
            return new TpmtPublic(hashAlg, p.objectAttributes(), p.authPolicy(),
                    new TpmuPublicParms.Rsa(r.symmetric(), r.scheme(), r.keyBits(), 65537), p.unique());
        }
        return p;
    }
}
