package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_ActivateCredential: recovers the credential that {@link MakeCredential} protected, proving
 * that {@code activateHandle} (authorized in the ADMIN role) is loaded on the TPM holding
 * {@code keyHandle} (authorized in the USER role; an EK needs a PolicySecret(TPM_RH_ENDORSEMENT)
 * session). {@code credentialBlob} and {@code secret} are the contents of the TPM2B_ID_OBJECT and
 * TPM2B_ENCRYPTED_SECRET.
 */
public record ActivateCredential(int activateHandle, int keyHandle, byte[] credentialBlob, byte[] secret)
        implements TpmCommand<ActivateCredential.Response> {
    @Override
    public int commandCode() {
        return TpmCc.ActivateCredential;
    }

    @Override
    public int encryptableParameters() {
        return TpmaSession.DECRYPT | TpmaSession.ENCRYPT;
    }

    @Override
    public boolean carriesSecret() {
        return true;
    }

    @Override
    public List<Integer> handles() {
        return List.of(activateHandle, keyHandle);
    }

    @Override
    public int authHandleCount() {
        return 2;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(credentialBlob).sized(secret);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.DIGEST));
    }

    /** certInfo: the recovered credential (TPM2B_DIGEST); secret, so toString leaves it out. */
    public record Response(byte[] certInfo) {
        @Override
        public String toString() {
            return "ActivateCredential.Response[certInfo=" + certInfo.length + " bytes, hidden]";
        }
    }
}
