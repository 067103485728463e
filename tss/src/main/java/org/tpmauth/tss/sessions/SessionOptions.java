package org.tpmauth.tss.sessions;

import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmtSymDefObject;

/**
 * How to start an {@link HmacSession}: the salt key ({@code tpmKey}, TPM_RH_NULL for none), the bind
 * entity and its auth value (TPM_RH_NULL for none), the parameter-encryption cipher (TPMT_SYM_DEF;
 * NULL for none), the session hash, and whether commands ({@code decrypt}) and responses
 * ({@code encrypt}) have their first TPM2B parameter encrypted where the command allows it.
 */
public record SessionOptions(int tpmKey, int bind, byte[] bindAuth, TpmtSymDefObject symmetric, TpmAlg authHash,
        boolean decrypt, boolean encrypt) {
    public SessionOptions {
        bindAuth = bindAuth.clone();
        if (!authHash.isHash()) {
            throw new IllegalArgumentException("a session hash must be a hash algorithm, not " + authHash);
        }
    }

    /** Unsalted, unbound, SHA-256, AES-128-CFB in both directions. */
    public static SessionOptions unsalted() {
        return new SessionOptions(TpmHandles.RH_NULL, TpmHandles.RH_NULL, new byte[0], TpmtSymDefObject.AES_128_CFB,
                TpmAlg.SHA256, true, true);
    }

    /** The salt is encrypted to the loaded RSA or ECC decryption key {@code tpmKey}. */
    public SessionOptions saltedTo(int key) {
        return new SessionOptions(key, bind, bindAuth, symmetric, authHash, decrypt, encrypt);
    }

    /** The session is bound to {@code entity}, whose auth value is {@code auth}. */
    public SessionOptions boundTo(int entity, byte[] auth) {
        return new SessionOptions(tpmKey, entity, auth, symmetric, authHash, decrypt, encrypt);
    }

    /** The parameter-encryption cipher: AES-CFB, XOR, or NULL for none. */
    public SessionOptions withSymmetric(TpmtSymDefObject cipher) {
        return new SessionOptions(tpmKey, bind, bindAuth, cipher, authHash, decrypt, encrypt);
    }

    public SessionOptions withAuthHash(TpmAlg hash) {
        return new SessionOptions(tpmKey, bind, bindAuth, symmetric, hash, decrypt, encrypt);
    }

    /** Which directions are encrypted: commands ({@code commands}), responses ({@code responses}). */
    public SessionOptions withParameterEncryption(boolean commands, boolean responses) {
        return new SessionOptions(tpmKey, bind, bindAuth, symmetric, authHash, commands, responses);
    }

    @Override
    public String toString() {
        return String.format("SessionOptions[tpmKey=0x%08x, bind=0x%08x, bindAuth=%s, symmetric=%s, authHash=%s, "
                + "decrypt=%b, encrypt=%b]", tpmKey, bind, bindAuth.length == 0 ? "empty" : "set", symmetric,
                authHash, decrypt, encrypt);
    }
}
