package org.tpmauth.tss.fapi.policy;

import org.tpmauth.tss.types.TpmAlg;

/**
 * What a JSON policy's elements may need beyond the file: current PCR values (PolicyPCR with
 * {@code currentPCRs}), the Names of keystore objects named by path and of NV indices. An offline
 * context answers none of them, with an error saying which element needs the TPM.
 */
public interface PolicyContext {
    /** The current value of a PCR. */
    byte[] pcrValue(TpmAlg bank, int pcr);

    /** The Name of the keystore object at {@code path} (a key, the SRK, a hierarchy). */
    byte[] objectName(String path);

    /** The Name of an NV index. */
    byte[] nvName(int nvIndex);

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
