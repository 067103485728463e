package org.tpmauth.tss.fapi.policy;

/**
 * Runs what a PolicyAction element names when a policy session reaches it, as FAPI's policy action
 * callback ({@code Fapi_SetPolicyActionCB}) does. PolicyAction adds nothing to the policy digest; it is
 * a hook for the application (log, ask, check something outside the TPM). Throwing refuses the use.
 */
@FunctionalInterface
public interface PolicyActionCallback {
    /**
     * @param objectPath the keystore path of the object whose policy runs
     * @param action     the element's {@code action} text
     */
    void run(String objectPath, String action);
}
