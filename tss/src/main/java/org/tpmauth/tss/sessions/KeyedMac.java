package org.tpmauth.tss.sessions;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import org.tpmauth.tss.types.TpmAlg;

/**
 * One session's HMAC engine, kept keyed from command to command. A session's HMAC key (sessionKey ||
 * authValue) and its parameter-encryption key (sessionValue) stay the same across commands while the
 * nonces roll, and keying a JCA Mac costs two hash blocks and a few allocations; {@link Mac#doFinal}
 * leaves the engine keyed for the next command. Used by one command at a time (the Tpm's queue).
 */
final class KeyedMac {
    private final Mac mac;
    private byte[] key;

    KeyedMac(TpmAlg hash) {
        String name = SessionCrypto.macName(hash);
        try {
            this.mac = Mac.getInstance(name);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(name + " is not available", e);
        }
    }

    /** The engine keyed with {@code newKey}, ready for update / doFinal; re-keyed only when the key changed. */
    Mac keyedWith(byte[] newKey) {
        if (key == null || !MessageDigest.isEqual(key, newKey)) {
            SessionCrypto.key(mac, newKey);
            key = newKey.clone();
        } else {
            mac.reset();
        }
        return mac;
    }
}
