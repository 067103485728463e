package org.tpmauth.tss.fapi.policy;

import java.security.PublicKey;
import org.tpmauth.tss.fapi.JsonFields;
import org.tpmauth.tss.fapi.PublicAreaJson;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
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

    /**
     * The public area of the PEM key in {@code pemField}, with the hash of {@code keyPEMhashAlg} (else
     * {@code hashAlg}, which FAPI's policy authorizations also take; else SHA-256) and the RSA scheme of
     * {@code rsaScheme} (else RSA-PSS with that hash), as FAPI derives it. Errors name the field.
     */
    static TpmtPublic read(JsonFields json, String pemField) {
        String hashField = json.has("keyPEMhashAlg") || !json.has("hashAlg") ? "keyPEMhashAlg" : "hashAlg";
        TpmAlg hash = json.has(hashField) ? json.alg(hashField) : TpmAlg.SHA256;
        if (!hash.isHash()) {
            throw json.error(hashField, "must be a hash algorithm");
        }
        TpmtAsymScheme rsaScheme;
        try {
            rsaScheme = json.has("rsaScheme") ? asymScheme(PublicAreaJson.readSigScheme(json.object("rsaScheme")))
                    : TpmtAsymScheme.rsapss(hash);
        } catch (IllegalArgumentException e) {
            throw json.error("rsaScheme", e.getMessage());
        }
        PublicKey key = parse(json.text(pemField));
        if (key == null) {
            throw json.error(pemField, "is not a PEM RSA or EC public key");
        }
        try {
            return publicArea(key, hash, rsaScheme);
        } catch (RuntimeException e) {
            throw json.error(pemField, "cannot be a TPM key: " + e.getMessage());
        }
    }

    private static TpmtAsymScheme asymScheme(TpmtSigScheme s) {
        return new TpmtAsymScheme(s.scheme(), s.hash(), s.count());
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
