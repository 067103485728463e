package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmReader;

/**
 * TPM2_Unseal: returns the data of a loaded sealed data object (a KEYEDHASH object with scheme NULL
 * and neither sign nor decrypt), which needs authorization. The response is a secret.
 */
public record Unseal(int itemHandle) implements TpmCommand<Unseal.Response> {
    @Override
    public int commandCode() {
        return TpmCc.Unseal;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.ENCRYPT;
    }

    @Override
    public boolean carriesSecret() {
        return true;
    }

    @Override
    public List<Integer> handles() {
        return List.of(itemHandle);
    }

    @Override
    public int authHandleCount() {
        return 1;
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.SENSITIVE_DATA));
    }

    /** The unsealed data (TPM2B_SENSITIVE_DATA); hidden from toString. */
    public record Response(byte[] outData) {
        @Override
        public String toString() {
            return "Unseal.Response[outData=" + Hidden.of(outData) + "]";
        }
    }
}
