package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.types.Tpm2bLimits;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_StartAuthSession: starts an HMAC, policy or trial session ({@link org.tpmauth.tss.types.TpmSe}).
 * {@code tpmKey} (or TPM_RH_NULL) decrypts {@code encryptedSalt}; {@code bind} (or TPM_RH_NULL) is the
 * entity whose auth value enters the session key; {@code symmetric} (TPMT_SYM_DEF) is the parameter
 * encryption cipher, {@code authHash} the session's hash. No authorization.
 */
public record StartAuthSession(int tpmKey, int bind, byte[] nonceCaller, byte[] encryptedSalt, int sessionType,
        TpmtSymDefObject symmetric, TpmAlg authHash) implements TpmCommand<StartAuthSession.Response> {
    @Override
    public int commandCode() {
        return TpmCc.StartAuthSession;
    }

    @Override
    public List<Integer> handles() {
        return List.of(tpmKey, bind);
    }

    @Override
    public void marshalParameters(TpmWriter out) {
        out.sized(nonceCaller).sized(encryptedSalt).u8(sessionType);
        symmetric.marshal(out);
        authHash.marshal(out);
    }

    @Override
    public int responseHandleCount() {
        return 1;
    }

    @Override
    public Response readResponse(int[] handles, TpmReader in) {
        return new Response(handles[0], in.sized(Tpm2bLimits.DIGEST));
    }

    @Override
    public String toString() {
        return String.format("StartAuthSession[tpmKey=0x%08x, bind=0x%08x, sessionType=%d, symmetric=%s, authHash=%s]",
                tpmKey, bind, sessionType, symmetric, authHash);
    }

    /** The new session's handle and the TPM's first nonce. */
    public record Response(int sessionHandle, byte[] nonceTpm) {
    }
}
