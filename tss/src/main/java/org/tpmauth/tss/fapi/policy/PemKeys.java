package org.tpmauth.tss.fapi.policy;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
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
        String b64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return null;
        }
        for (String alg : new String[] {"EC", "RSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException notThisType) {
                // try the other
            }
        }
        return null;
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
