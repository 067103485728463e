package org.tpmauth.tss.fapi.policy;

import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import org.tpmauth.tss.keys.PolicySigner;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtSignature;

/**
 * Signs for PolicySigned at use time, as FAPI's sign callback ({@code Fapi_SetSignCB}) does: the
 * caller holds the private key of the key a policy names, and signs {@code dataToSign} (nonceTPM ||
 * expiration || cpHashA || policyRef, fresh for each policy session) with {@code hashAlg}.
 */
@FunctionalInterface
public interface PolicySignCallback {
    /** The signature over {@code dataToSign} by the private key of {@code publicKey}. */
    TpmtSignature sign(PublicKey publicKey, TpmAlg hashAlg, byte[] dataToSign);

    /** Signs with whichever of {@code signers} holds the requested key (SHA-256 only, as PolicySigner signs). */
    static PolicySignCallback of(PolicySigner... signers) {
        List<PolicySigner> all = List.of(signers);
        return (publicKey, hashAlg, data) -> {
            if (hashAlg != PolicySigner.HASH) {
                throw new IllegalStateException("the PolicySigned key signs with " + hashAlg + "; the given policy "
                        + "signers sign with SHA256 only");
            }
            return all.stream().filter(s -> Arrays.equals(s.publicKey().getEncoded(), publicKey.getEncoded()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("none of the " + all.size() + " policy signers holds "
                            + "the key the PolicySigned names"))
                    .sign(data);
        };
    }
}
