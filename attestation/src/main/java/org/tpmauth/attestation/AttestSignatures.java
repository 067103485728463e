package org.tpmauth.attestation;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Optional;
import org.tpmauth.tss.keys.SignatureEncoding;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;

/**
 * Checks a TPM signature (TPMT_SIGNATURE) over attestation data (the TPMS_ATTEST bytes) in software,
 * with the signer's public area: RSASSA-PKCS1-v1_5, RSASSA-PSS (salt = digest length) and ECDSA.
 */
public final class AttestSignatures {
    private AttestSignatures() {
    }

    /** A failure when the signature is not the signer's over {@code data}; empty when it is. */
    public static Optional<Failure> check(TpmtPublic signer, byte[] data, TpmtSignature signature) {
        PublicKey key;
        try {
            key = signer.toPublicKey();
        } catch (RuntimeException e) {
            return Optional.of(new Failure("signature", "the signing key has no usable public key: " + e.getMessage()));
        }
        try {
            Signature verifier;
            byte[] value;
            if (signature instanceof TpmtSignature.Rsa rsa && rsa.sigAlg() == TpmAlg.RSASSA && key.getAlgorithm().equals("RSA")) {
                verifier = Signature.getInstance(jcaHash(rsa.hash()) + "withRSA");
                value = rsa.sig();
            } else if (signature instanceof TpmtSignature.Rsa rsa && rsa.sigAlg() == TpmAlg.RSAPSS
                    && key.getAlgorithm().equals("RSA")) {
                verifier = Signature.getInstance("RSASSA-PSS");
                String md = rsa.hash().jcaDigestName();
                verifier.setParameter(new PSSParameterSpec(md, "MGF1", new MGF1ParameterSpec(md),
                        rsa.hash().digestSize(), 1));
                value = rsa.sig();
            } else if (signature instanceof TpmtSignature.Ecc ecc && ecc.sigAlg() == TpmAlg.ECDSA
                    && key.getAlgorithm().equals("EC")) {
                verifier = SignatureProviders.signature(jcaHash(ecc.hash()) + "withECDSA", key);
                value = SignatureEncoding.ecdsaDer(ecc.r(), ecc.s());
            } else {
                return Optional.of(new Failure("signature", "a " + signature.sigAlg() + " signature cannot come from this "
                        + key.getAlgorithm() + " key"));
            }
            verifier.initVerify(key);
            verifier.update(data);
            if (!verifier.verify(value)) {
                return Optional.of(new Failure("signature", "the signature does not verify with the attestation key: "
                        + "another key signed it, or the signed data was altered"));
            }
            return Optional.empty();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.of(new Failure("signature", "the signature cannot be checked: " + e.getMessage()));
        }
    }

    /** "SHA256" for TPM_ALG_SHA256, as JCA signature names spell hashes. */
    private static String jcaHash(TpmAlg hash) {
        return hash.jcaDigestName().replace("-", "");
    }
}
