package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_RSA_Encrypt: public-key encryption with a loaded RSA key (no authorization). inScheme is a
 * TPMT_RSA_DECRYPT (RSAES, OAEP, or NULL for the key's scheme); a non-empty label must end with a
 * zero byte, which is part of the OAEP label.
 */
public record RsaEncrypt(int keyHandle, byte[] message, TpmtAsymScheme inScheme, byte[] label)
        implements TpmCommand<RsaEncrypt.Response> {
    public RsaEncrypt {
        RsaDecrypt.requireDecryptScheme(inScheme);
    }

    @Override
    public int commandCode() {
        return TpmCc.RSA_Encrypt;
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
        return List.of(keyHandle);
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(message);
        inScheme.marshal(out);
        out.sized(label);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.PUBLIC_KEY_RSA));
    }

    @Override
    public String toString() {
        return String.format("RsaEncrypt[keyHandle=0x%08x, message=%s, inScheme=%s]", keyHandle, Hidden.of(message),
                inScheme);
    }

    /** The ciphertext. */
    public record Response(byte[] outData) {
    }
}
