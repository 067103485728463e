package org.tpmauth.tss.sessions;

import org.tpmauth.tss.types.TpmMarshallable;
import org.tpmauth.tss.wire.TpmWriter;

/** TPMS_AUTH_COMMAND: session handle, nonceCaller, TPMA_SESSION, hmac (or password). */
public record AuthCommand(int sessionHandle, byte[] nonce, int attributes, byte[] hmac) implements TpmMarshallable {
    /** TPMA_SESSION continueSession ({@link org.tpmauth.tss.types.TpmaSession} has all the bits). */
    public static final int CONTINUE_SESSION = org.tpmauth.tss.types.TpmaSession.CONTINUE_SESSION;

    @Override
    public void marshal(TpmWriter out) {
        out.u32(sessionHandle).sized(nonce).u8(attributes).sized(hmac);
    }

    @Override
    public String toString() {
        // never print the hmac or password
        return String.format("AuthCommand[handle=0x%08x, attributes=0x%02x]", sessionHandle, attributes);
    }
}
