package org.tpmauth.tss.sessions;

import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.StartAuthSession;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmtPublic;

/**
 * A session TPM2_StartAuthSession just started: its handle, the TPM's first nonce, the session key
 * (KDFa(bindAuth || salt, "ATH", nonceTPM, nonceCaller); empty when neither salted nor bound) and the
 * bind entity's Name (null when unbound). Shared by HMAC and policy sessions.
 */
record SessionStart(int handle, byte[] nonceTpm, byte[] sessionKey, byte[] bindName) {
    private static final byte[] NONE = new byte[0];

    /** The public area of {@code options.tpmKey()} (read once per handle); null when the session is unsalted. */
    static TpmtPublic saltKey(Tpm tpm, SessionOptions options) {
        return options.tpmKey() == TpmHandles.RH_NULL ? null : tpm.publicOf(options.tpmKey());
    }

    static SessionStart start(Tpm tpm, SessionOptions options, TpmtPublic saltKey, int sessionType) {
        SharedSeed salt = saltKey == null ? null
                : tpm.preparedSalts().map(prepared -> prepared.take(saltKey)).orElseGet(() -> SharedSeed.salt(saltKey));
        boolean bound = options.bind() != TpmHandles.RH_NULL;
        byte[] bindName = bound ? tpm.nameOf(options.bind()) : null;
        TpmAlg hash = options.authHash();
        byte[] nonceCaller = SessionCrypto.random(hash.digestSize());
        StartAuthSession.Response r = tpm.execute(new StartAuthSession(options.tpmKey(), options.bind(), nonceCaller,
                salt == null ? NONE : salt.encrypted(), sessionType, options.symmetric(), hash));
        byte[] sessionKey = NONE;
        if (bound || salt != null) {
            byte[] secret = SessionCrypto.concat(SessionCrypto.trimAuth(options.bindAuth()),
                    salt == null ? NONE : salt.seed());
            sessionKey = Kdf.kdfa(hash, secret, "ATH", r.nonceTpm(), nonceCaller, hash.digestSize() * 8);
        }
        return new SessionStart(r.sessionHandle(), r.nonceTpm(), sessionKey, bindName);
    }
}
