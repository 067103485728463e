package org.tpmauth.tss.fapi;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.NvReadPublic;
import org.tpmauth.tss.commands.PcrRead;
import org.tpmauth.tss.fapi.policy.PolicyActionCallback;
import org.tpmauth.tss.fapi.policy.PolicyAuthorization;
import org.tpmauth.tss.fapi.policy.PolicyContext;
import org.tpmauth.tss.fapi.policy.PolicySignCallback;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Answers a JSON policy's questions from a TPM and a FAPI keystore: PCR values, Names and public areas
 * by path, NV Names, the keystore's auth and sign callbacks, and the signed policies of its policy
 * directory.
 */
final class KeystorePolicyContext implements PolicyContext {
    private final Tpm tpm;
    private final FapiKeystore keystore;
    private final PolicyDirectory policies;
    /** The object whose policy runs, named to the branch and action callbacks; null when none is. */
    private final FapiPath object;

    KeystorePolicyContext(Tpm tpm, FapiKeystore keystore, PolicyDirectory policies, FapiPath object) {
        this.tpm = tpm;
        this.keystore = keystore;
        this.policies = policies;
        this.object = object;
    }

    @Override
    public byte[] pcrValue(TpmAlg bank, int pcr) {
        byte[] value = PcrRead.readAll(tpm, List.of(TpmsPcrSelection.of(bank, pcr))).get(bank, pcr);
        if (value == null) {
            throw new IllegalStateException("the TPM has no " + bank.name().toLowerCase() + " PCR " + pcr);
        }
        return value;
    }

    @Override
    public byte[] objectName(String path) {
        FapiPath p = keystore.path(path);
        if (!p.profile().isEmpty() && p.isHierarchy()) {
            return TpmWriter.marshal(out -> out.u32(FapiPath.hierarchyHandle(p.hierarchy())));
        }
        FapiObject o = keystore.object(p);
        return o.isNv() ? o.nvPublic().name() : o.publicArea().name();
    }

    @Override
    public byte[] nvName(int nvIndex) {
        return tpm.execute(new NvReadPublic(nvIndex)).nvName();
    }

    @Override
    public TpmtPublic objectPublic(String path) {
        return keystore.object(keystore.path(path)).publicArea();
    }

    @Override
    public TpmsNvPublic nvPublic(String path) {
        return keystore.object(keystore.path(path)).nvPublic();
    }

    @Override
    public Optional<String> pathOfName(byte[] name) {
        for (String path : keystore.list("/")) {
            FapiObject o = keystore.object(path);
            byte[] n = o.isNv() ? o.nvPublic().name() : o.isKey() ? o.publicArea().name() : null;
            if (n != null && Arrays.equals(n, name)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    @Override
    public byte[] authValue(String path) {
        return keystore.authValue(keystore.path(path));
    }

    @Override
    public byte[] hierarchyAuth(int hierarchy) {
        return FapiPath.hierarchyOf(hierarchy).map(h -> keystore.hierarchyAuth(keystore.path("/" + h)))
                .orElse(new byte[0]);
    }

    @Override
    public int selectBranch(List<String> branchNames) {
        String path = object == null ? "" : object.toString();
        String description = object == null ? "" : keystore.find(object).map(FapiObject::description).orElse("");
        return keystore.branchCallback().select(path, description, branchNames);
    }

    @Override
    public void policyAction(String action) {
        PolicyActionCallback callback = keystore.actionCallback();
        if (callback == null) {
            PolicyContext.super.policyAction(action);
            return;
        }
        try {
            callback.run(object == null ? "" : object.toString(), action);
        } catch (RuntimeException refused) {
            throw new IllegalStateException("the policy action callback refused \"" + action + "\": "
                    + refused.getMessage(), refused);
        }
    }

    @Override
    public <T> T withLoaded(String path, IntFunction<T> use) {
        return keystore.withLoaded(keystore.path(path), use);
    }

    @Override
    public TpmtSignature policySignature(TpmtPublic key, TpmAlg hashAlg, byte[] data) {
        PolicySignCallback signer = keystore.policySigner();
        if (signer == null) {
            return PolicyContext.super.policySignature(key, hashAlg, data);
        }
        return signer.sign(key.toPublicKey(), hashAlg, data);
    }

    @Override
    public List<PolicyAuthorization.Approved> authorizedPolicies(byte[] keyName, byte[] policyRef) {
        return policies.approvedBy(keyName, policyRef);
    }
}
