package org.tpmauth.tss.keys;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.util.BigIntegers;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Who signs authorized policies: a software key kept offline, or a TPM key. It signs
 * H(approvedPolicy || policyRef) with SHA-256 (ECDSA, or RSASSA-PKCS1-v1_5), the digest
 * TPM2_PolicyAuthorize checks with a TPM2_VerifySignature ticket.
 */
public interface PolicySigner {
    /** The hash of approved policies, signatures and signer Names. */
    TpmAlg HASH = TpmAlg.SHA256;

    /** The signer's public key. */
    PublicKey publicKey();

    /** Signs {@code message} (approvedPolicy || policyRef) with SHA-256. */
    TpmtSignature sign(byte[] message);

    /** The signer as a TPM sees it: {@link #signerArea} of its public key. */
    default TpmtPublic publicArea() {
        return signerArea(publicKey());
    }

    /**
     * Signs the policy digest of {@code approved} (with an empty policyRef) and returns the signed policy,
     * named {@code name} (may be null).
     */
    default TpmAuthPolicy sign(List<TpmPolicy> approved, String name) {
        byte[] policyRef = new byte[0];
        byte[] approvedDigest = TpmPolicy.digest(approved, HASH);
        TpmtSignature signature = sign(TpmWriter.marshal(out -> out.bytes(approvedDigest).bytes(policyRef)));
        List<TpmPolicy> policy = new ArrayList<>(approved);
        policy.add(TpmPolicy.authorize(publicArea(), policyRef, signature));
        return new TpmAuthPolicy(Optional.ofNullable(name), policy);
    }

    /**
     * The public area under which the TPM loads a policy signer's key (TPM2_LoadExternal) and whose
     * Name an authorized policy names: SHA-256 name, sign | userWithAuth, scheme NULL. The same public
     * key always gives the same area, whether it comes from a PEM file or a TPM key.
     */
    static TpmtPublic signerArea(PublicKey key) {
        return TpmtPublic.ofPublicKey(key, HASH, TpmaObject.SIGN_ENCRYPT | TpmaObject.USER_WITH_AUTH);
    }

    /** A software signer (RSA or EC private key). */
    static PolicySigner software(PrivateKey privateKey, PublicKey publicKey) {
        return new PolicySigner() {
            @Override
            public PublicKey publicKey() {
                return publicKey;
            }

            @Override
            public TpmtSignature sign(byte[] message) {
                boolean rsa = publicKey instanceof RSAPublicKey;
                try {
                    Signature s = Signature.getInstance(rsa ? "SHA256withRSA" : "SHA256withECDSA");
                    s.initSign(privateKey);
                    s.update(message);
                    byte[] signature = s.sign();
                    return rsa ? new TpmtSignature.Rsa(TpmAlg.RSASSA, HASH, signature)
                            : ecdsa(signature, (ECPublicKey) publicKey);
                } catch (GeneralSecurityException e) {
                    throw new IllegalArgumentException("the signer key cannot sign: " + e.getMessage(), e);
                }
            }
        };
    }

    /** A TPM key as signer: PKCS#1 v1.5 for RSA keys, ECDSA for EC keys. */
    static PolicySigner tpm(TpmKeys keys, TpmKey key) {
        return new PolicySigner() {
            @Override
            public PublicKey publicKey() {
                return key.publicKey();
            }

            @Override
            public TpmtSignature sign(byte[] message) {
                return keys.signRaw(key, PolicyDigest.hash(HASH, message), HASH, SigningScheme.defaultFor(key.type()));
            }
        };
    }

    /** A DER ECDSA signature as TPMS_SIGNATURE_ECDSA, r and s padded to the curve's size. */
    private static TpmtSignature ecdsa(byte[] der, ECPublicKey key) {
        ASN1Sequence seq = ASN1Sequence.getInstance(der);
        int size = (key.getParams().getOrder().bitLength() + 7) / 8;
        BigInteger r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
        BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
        return new TpmtSignature.Ecc(TpmAlg.ECDSA, HASH, BigIntegers.asUnsignedByteArray(size, r),
                BigIntegers.asUnsignedByteArray(size, s));
    }
}
