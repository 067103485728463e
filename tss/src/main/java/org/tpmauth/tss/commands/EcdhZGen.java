package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmsEccPoint;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_ECDH_ZGen: multiplies a peer's public point by a loaded ECC decryption key's private scalar
 * (the key needs authorization). The x coordinate of the result is the ECDH shared secret Z.
 */
public record EcdhZGen(int keyHandle, TpmsEccPoint inPoint) implements TpmCommand<EcdhZGen.Response> {
    @Override
    public int commandCode() {
        return TpmCc.ECDH_ZGen;
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
        inPoint.marshalSized(out);
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(TpmsEccPoint.readSized(in));
    }

    /** outPoint (TPM2B_ECC_POINT) holds the shared secret; hidden from toString. */
    public record Response(TpmsEccPoint outPoint) {
        @Override
        public String toString() {
            return "EcdhZGen.Response[outPoint=" + Hidden.of(outPoint.x()) + "]";
        }
    }
}
