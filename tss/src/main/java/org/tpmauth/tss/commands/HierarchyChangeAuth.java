package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_HierarchyChangeAuth: sets the auth value of TPM_RH_OWNER, TPM_RH_ENDORSEMENT, TPM_RH_LOCKOUT or
 * TPM_RH_PLATFORM ({@code authHandle}, authorized with its current one) to {@code newAuth} (TPM2B_AUTH;
 * empty clears it). A secret parameter: the facade's secure sessions encrypt it.
 */
public record HierarchyChangeAuth(int authHandle, byte[] newAuth) implements TpmCommand<NoResponse> {
    public HierarchyChangeAuth {
        newAuth = newAuth.clone();
    }

    @Override
    public int commandCode() {
        return TpmCc.HierarchyChangeAuth;
    }

    @Override
    public List<Integer> handles() {
        return List.of(authHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT;
    }

    @Override
    public boolean carriesSecret() {
        return true;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(newAuth);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }

    @Override
    public byte[] newAuth() {
        return newAuth.clone();
    }

    @Override
    public String toString() {
        return String.format("HierarchyChangeAuth[authHandle=0x%08x, newAuth=%s]", authHandle, Hidden.of(newAuth));
    }
}
