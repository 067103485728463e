package org.tpmauth.tss.sessions;

import org.tpmauth.tss.wire.TpmReader;

/** TPMS_AUTH_RESPONSE: nonceTPM, TPMA_SESSION, hmac. */
public record AuthResponse(byte[] nonce, int attributes, byte[] hmac) {
    public static AuthResponse read(TpmReader in) {
        return in.struct("TPMS_AUTH_RESPONSE", r -> new AuthResponse(r.sized(64), r.u8(), r.sized(64)));
    }
}
