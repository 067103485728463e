package org.tpmauth.tss.fapi;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmuPublicParms;

/**
 * Checks a signature over a digest in software, as {@code tss2_verifysignature} does: DER ECDSA, or
 * the raw RSA value with PKCS#1 v1.5 (over the DigestInfo) or PSS (salt the hash's length, as TPMs
 * sign, or the largest that fits).
 */
final class SignatureVerifier {
    private SignatureVerifier() {
    }

    /** {@code scheme} is the key's signing scheme; NULL takes the public area's, else the key type's default. */
    static boolean verify(PublicKey key, TpmtSigScheme scheme, TpmtPublic area, byte[] digest, byte[] signature) {
        TpmAlg hash = hashOfDigest(digest);
        try {
            if (!(key instanceof RSAPublicKey rsa)) {
                Signature s = Signature.getInstance("NONEwithECDSA");
                s.initVerify(key);
                s.update(digest);
                return s.verify(signature);
            }
            TpmAlg alg = scheme.scheme() != TpmAlg.NULL ? scheme.scheme() : publicScheme(area);
            if (alg == TpmAlg.RSASSA) {
                Signature s = Signature.getInstance("NONEwithRSA");
                s.initVerify(key);
                s.update(new DigestInfo(new DefaultDigestAlgorithmIdentifierFinder().find(hash.jcaDigestName()), digest)
                        .getEncoded());
                return s.verify(signature);
            }
            int emLength = (rsa.getModulus().bitLength() + 6) / 8;
            return pss(rsa, hash, digest, signature, digest.length)
                    || pss(rsa, hash, digest, signature, emLength - digest.length - 2);
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean pss(RSAPublicKey key, TpmAlg hash, byte[] digest, byte[] signature, int salt) {
        PSSSigner signer = PSSSigner.createRawSigner(new RSABlindedEngine(), digest(hash), digest(hash), salt,
                PSSSigner.TRAILER_IMPLICIT);
        signer.init(false, new RSAKeyParameters(false, key.getModulus(), key.getPublicExponent()));
        signer.update(digest, 0, digest.length);
        return signer.verifySignature(signature);
    }

    private static TpmAlg publicScheme(TpmtPublic area) {
        TpmtAsymScheme s = area.parameters() instanceof TpmuPublicParms.Rsa r ? r.scheme() : TpmtAsymScheme.NULL;
        return s.scheme() == TpmAlg.RSASSA ? TpmAlg.RSASSA : TpmAlg.RSAPSS;
    }

    private static TpmAlg hashOfDigest(byte[] digest) {
        for (TpmAlg h : new TpmAlg[] {TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512, TpmAlg.SHA1}) {
            if (h.digestSize() == digest.length) {
                return h;
            }
        }
        throw new IllegalArgumentException("a digest of " + digest.length + " bytes is no SHA-1 or SHA-2 digest");
    }

    private static Digest digest(TpmAlg hash) {
        return switch (hash) {
            case SHA1 -> new SHA1Digest();
            case SHA384 -> new SHA384Digest();
            case SHA512 -> new SHA512Digest();
            default -> new SHA256Digest();
        };
    }
}
