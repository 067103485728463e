package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_PolicyDuplicationSelect: the policy holds only for TPM2_Duplicate of the object named
 * {@code objectName} (when {@code includeObject}) to the new parent named {@code newParentName}.
 */
public record PolicyDuplicationSelect(int policySession, byte[] objectName, byte[] newParentName,
        boolean includeObject) implements TpmCommand<NoResponse> {
    public PolicyDuplicationSelect {
        objectName = objectName.clone();
        newParentName = newParentName.clone();
    }

    @Override
    public int commandCode() {
        return TpmCc.PolicyDuplicationSelect;
    }

    @Override
    public List<Integer> handles() {
        return List.of(policySession);
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(objectName).sized(newParentName).u8(includeObject ? 1 : 0);
    }

    @Override
    public NoResponse readResponse(int[] handles, TpmReader in) {
        return NoResponse.INSTANCE;
    }
}
