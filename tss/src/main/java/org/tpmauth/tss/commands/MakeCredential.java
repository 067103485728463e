package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_MakeCredential: protects {@code credential} (TPM2B_DIGEST) so that only the TPM holding the
 * private part of the decryption key {@code handle} (typically an EK; only its public part need be
 * loaded, no authorization) can recover it, and only while the object named {@code objectName} is
 * loaded there.
 */
public record MakeCredential(int handle, byte[] credential, byte[] objectName)
        implements TpmCommand<MakeCredential.Response> {
    @Override
    public int commandCode() {
        return TpmCc.MakeCredential;
    }

    @Override
    public List<Integer> handles() {
        return List.of(handle);
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(credential).sized(objectName);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.ID_OBJECT), in.sized(Tpm2bLimits.ENCRYPTED_SECRET));
    }

    @Override
    public String toString() {
        return String.format("MakeCredential[handle=0x%08x, credential=%d bytes, hidden, objectName=%d bytes]",
                handle, credential.length, objectName.length);
    }

    /**
     * credentialBlob: the content of the TPM2B_ID_OBJECT (integrity HMAC and encrypted credential);
     * secret: the content of the TPM2B_ENCRYPTED_SECRET (the seed encrypted to the key).
     */
    public record Response(byte[] credentialBlob, byte[] secret) {
    }
}
