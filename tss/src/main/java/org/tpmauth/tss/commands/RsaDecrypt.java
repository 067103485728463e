package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_RSA_Decrypt: private-key decryption with a loaded RSA decryption key, which needs
 * authorization. inScheme and label as for {@link RsaEncrypt}.
 */
public record RsaDecrypt(int keyHandle, byte[] cipherText, TpmtAsymScheme inScheme, byte[] label)
        implements TpmCommand<RsaDecrypt.Response> {
    public RsaDecrypt {
        requireDecryptScheme(inScheme);
    }

    static void requireDecryptScheme(TpmtAsymScheme scheme) {
        if (!TpmtAsymScheme.Kind.RSA_DECRYPT.allows(scheme.scheme())) {
            throw new IllegalArgumentException(scheme.scheme() + " is not an RSA encryption scheme (RSAES, OAEP, NULL)");
        }
    }

    @Override
    public int commandCode() {
        return TpmCc.RSA_Decrypt;
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
    public int authHandleCount() {
        return 1;
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(cipherText);
        inScheme.marshal(out);
        out.sized(label);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(in.sized(Tpm2bLimits.PUBLIC_KEY_RSA));
    }

    /** The decrypted message; hidden from toString. */
    public record Response(byte[] message) {
        @Override
        public String toString() {
            return "RsaDecrypt.Response[message=" + Hidden.of(message) + "]";
        }
    }
}
