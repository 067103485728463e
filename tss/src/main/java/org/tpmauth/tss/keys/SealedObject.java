package org.tpmauth.tss.keys;

import java.util.List;
import org.tpmauth.tss.types.TpmsPcrSelection;

/**
 * A sealed data object as {@link Sealing#seal} returns it: its TPM2B_PUBLIC and TPM2B_PRIVATE (each
 * with its size, as a TSS2 key file holds them) under the owner hierarchy's storage primary, and its
 * policy: the PCRs it is bound to (none: the password alone unseals it) and whether the policy
 * includes TPM2_PolicyAuthValue (a password besides the PCRs).
 */
public record SealedObject(byte[] publicBlob, byte[] privateBlob, List<TpmsPcrSelection> pcrs,
        boolean policyAuthValue) {
    public SealedObject {
        publicBlob = publicBlob.clone();
        privateBlob = privateBlob.clone();
        pcrs = List.copyOf(pcrs);
    }

    /** True when a policy session (PolicyPCR, and PolicyAuthValue when set) must unseal it. */
    public boolean hasPolicy() {
        return !pcrs.isEmpty();
    }

    @Override
    public byte[] publicBlob() {
        return publicBlob.clone();
    }

    @Override
    public byte[] privateBlob() {
        return privateBlob.clone();
    }

    @Override
    public String toString() {
        return "SealedObject[public=" + publicBlob.length + " bytes, private=<" + privateBlob.length
                + " bytes hidden>, pcrs=" + pcrs + ", policyAuthValue=" + policyAuthValue + "]";
    }
}
