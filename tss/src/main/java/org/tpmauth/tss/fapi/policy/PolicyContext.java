package org.tpmauth.tss.fapi.policy;

import java.util.List;
import java.util.Optional;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;

/**
 * What a JSON policy's elements may need beyond the file: current PCR values (PolicyPCR with
 * {@code currentPCRs}), the Names and public areas of keystore objects and NV indices named by path,
 * and, to satisfy a policy, what FAPI asks its callbacks for: auth values (PolicySecret, PolicyNV),
 * signatures (PolicySigned) and the signed policies a PolicyAuthorize may take. An offline context
 * answers none of them, with an error saying which element needs the TPM or keystore.
 */
public interface PolicyContext {
    /** The current value of a PCR. */
    byte[] pcrValue(TpmAlg bank, int pcr);

    /** The Name of the keystore object at {@code path} (a key, the SRK, a hierarchy, an NV index, an external key). */
    byte[] objectName(String path);

    /** The Name of an NV index. */
    byte[] nvName(int nvIndex);

    /** The public area of the key at {@code path}, a TPM key or an external (/ext) key. */
    default TpmtPublic objectPublic(String path) {
        throw new IllegalStateException("needs the public key of " + path + " from a keystore; give it in the policy "
                + "(keyPublic or keyPEM)");
    }

    /** The public area of the NV index at {@code path} (/nv/Owner/name). */
    default TpmsNvPublic nvPublic(String path) {
        throw new IllegalStateException("needs NV index " + path + " from a keystore; give nvIndex or nvPublic");
    }

    /** The keystore path of the key or NV index whose Name is {@code name}, as FAPI searches it at use time. */
    default Optional<String> pathOfName(byte[] name) {
        return Optional.empty();
    }

    /** Runs {@code use} with the keystore key at {@code path} loaded (its handle), and unloads it again. */
    default <T> T withLoaded(String path, java.util.function.IntFunction<T> use) {
        throw new IllegalStateException("needs the key " + path + " loaded from a keystore");
    }

    /** The auth value of the keystore object at {@code path}: FAPI's auth callback. */
    default byte[] authValue(String path) {
        return new byte[0];
    }

    /**
     * A signature for PolicySigned, FAPI's sign callback: {@code data} (nonceTPM || expiration ||
     * cpHashA || policyRef) signed with {@code hashAlg} by the private key of {@code key}.
     */
    default TpmtSignature policySignature(TpmtPublic key, TpmAlg hashAlg, byte[] data) {
        throw new IllegalStateException("needs a signature by the PolicySigned key; give the keystore a policy "
                + "signer (FapiKeystore.setPolicySigner)");
    }

    /**
     * The auth value of a hierarchy (TPM_RH_OWNER, TPM_RH_ENDORSEMENT, ...) for a PolicySecret on it, as
     * FAPI takes it: from the auth callback when the keystore's hierarchy object records one (with_auth).
     */
    default byte[] hierarchyAuth(int hierarchy) {
        return new byte[0];
    }

    /**
     * The branch of a PolicyOR to take (FAPI's branch callback): an index into {@code branchNames}, or
     * {@link PolicyBranchCallback#AUTOMATIC} for the one branch that holds.
     */
    default int selectBranch(List<String> branchNames) {
        return PolicyBranchCallback.AUTOMATIC;
    }

    /** Runs a PolicyAction's {@code action} (FAPI's policy action callback); throws to refuse. */
    default void policyAction(String action) {
        throw new IllegalStateException("the policy has a PolicyAction \"" + action + "\", and no policy action "
                + "callback is set (FapiKeystore.setPolicyActionCallback)");
    }

    /** The signed policies that a PolicyAuthorize by the key named {@code keyName} may take (FAPI's policy directory). */
    default List<PolicyAuthorization.Approved> authorizedPolicies(byte[] keyName, byte[] policyRef) {
        return List.of();
    }

    /** A context without a TPM or keystore: policies that need one fail, naming what they need. */
    static PolicyContext offline() {
        return new PolicyContext() {
            @Override
            public byte[] pcrValue(TpmAlg bank, int pcr) {
                throw new IllegalStateException("needs the current value of " + bank.name().toLowerCase() + " PCR "
                        + pcr + " from a TPM; give the PCR values in the policy (\"pcrs\") or use a TPM");
            }

            @Override
            public byte[] objectName(String path) {
                throw new IllegalStateException("needs the Name of " + path + " from a keystore; give it in the "
                        + "policy (objectName / keyPublic)");
            }

            @Override
            public byte[] nvName(int nvIndex) {
                throw new IllegalStateException(String.format("needs the Name of NV index 0x%08x from a TPM",
                        nvIndex));
            }
        };
    }
}
