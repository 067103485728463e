package org.tpmauth.tss.sessions;

import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtSymDefObject;

/**
 * A session's parameter encryption across its commands (HMAC and policy sessions alike): the cipher, the
 * directions the session was started for, the KDFa engine kept keyed with sessionValue, and the
 * directions and sessionValue of the command in flight.
 */
final class SessionCipher {
    private static final byte[] NONE = new byte[0];

    private final TpmtSymDefObject symmetric;
    private final int directions;
    private final KeyedMac kdf;
    private int inFlight;
    private byte[] sessionValue = NONE;

    SessionCipher(SessionOptions options) {
        this.symmetric = options.symmetric();
        this.directions = symmetric instanceof TpmtSymDefObject.Null ? 0
                : (options.decrypt() ? TpmaSession.DECRYPT : 0) | (options.encrypt() ? TpmaSession.ENCRYPT : 0);
        this.kdf = new KeyedMac(options.authHash());
    }

    /** The decrypt / encrypt attributes the session sets where a command allows them. */
    int directions() {
        return directions;
    }

    /**
     * Starts a command whose session attributes are {@code attributes} (their decrypt / encrypt bits count):
     * the parameters, the first encrypted when decrypt is set.
     */
    byte[] start(int attributes, byte[] value, byte[] nonceCaller, byte[] nonceTpm, byte[] parameters) {
        inFlight = attributes & (TpmaSession.DECRYPT | TpmaSession.ENCRYPT);
        sessionValue = value;
        if ((inFlight & TpmaSession.DECRYPT) == 0) {
            return parameters;
        }
        return ParameterEncryption.apply(symmetric, kdf.keyedWith(sessionValue), nonceCaller, nonceTpm, parameters,
                true);
    }

    /** The response parameters, the first decrypted when the command set encrypt. */
    byte[] decryptResponse(byte[] parameters, byte[] nonceTpm, byte[] nonceCaller) {
        if ((inFlight & TpmaSession.ENCRYPT) == 0) {
            return parameters;
        }
        return ParameterEncryption.apply(symmetric, kdf.keyedWith(sessionValue), nonceTpm, nonceCaller, parameters,
                false);
    }

    /** {@code nonceTpm} when the command in flight set {@code attribute}, else empty (see Session). */
    byte[] nonceFor(int attribute, byte[] nonceTpm) {
        return (inFlight & attribute) != 0 ? nonceTpm.clone() : NONE;
    }
}
