package org.tpmauth.attestation.credential;

import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * A protected credential: the contents of the TPM2B_ID_OBJECT (integrity HMAC and encrypted
 * credential) and of the TPM2B_ENCRYPTED_SECRET (the seed, encrypted to the EK). As a file it has
 * the layout tpm2_makecredential writes and tpm2_activatecredential reads:
 * {@code BADCC0DE || u32 version 1 || TPM2B_ID_OBJECT || TPM2B_ENCRYPTED_SECRET}.
 */
public record CredentialFile(byte[] credentialBlob, byte[] secret) {
    private static final int MAGIC = 0xBADCC0DE;
    private static final int VERSION = 1;

    public byte[] toBytes() {
        return TpmWriter.marshal(out -> out.u32(MAGIC).u32(VERSION).sized(credentialBlob).sized(secret));
    }

    /**
     * Reads the tpm2-tools file layout.
     *
     * @throws TpmFormatException for another magic or version, a truncated file, or bytes after the secret
     */
    public static CredentialFile fromBytes(byte[] data) {
        TpmReader in = new TpmReader(data).enter("credential file");
        int magic = in.u32();
        if (magic != MAGIC) {
            throw new TpmFormatException("credential file", 0, String.format("magic 0x%08x is not 0xbadcc0de: "
                    + "not a credential file from tpm2_makecredential or tpmauth attest makecredential", magic));
        }
        int version = in.u32();
        if (version != VERSION) {
            throw new TpmFormatException("credential file", 4, "version " + version + " is not 1");
        }
        CredentialFile file = new CredentialFile(in.sized(Tpm2bLimits.ID_OBJECT), in.sized(Tpm2bLimits.ENCRYPTED_SECRET));
        in.expectEnd();
        return file;
    }

    @Override
    public String toString() {
        return "CredentialFile[credentialBlob=" + credentialBlob.length + " bytes, secret=" + secret.length + " bytes]";
    }
}
