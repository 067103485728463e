package org.tpmauth.tss.sessions;

import java.util.Arrays;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmIntegrityException;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmSe;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmReader;

/**
 * An HMAC authorization session (TPM2_StartAuthSession with TPM_SE_HMAC), kept open across commands
 * (continueSession): each command gets a fresh nonceCaller and an HMAC over cpHash, the nonces and the
 * attributes, keyed with sessionKey || authValue (without the authValue when the session is bound to
 * the entity it authorizes); each response's HMAC over rpHash is checked, and a mismatch throws
 * {@link TpmIntegrityException}. With a symmetric cipher the first TPM2B parameter is encrypted in
 * the directions the options ask for (TPM 2.0 Part 1, "Session-based authorization", "HMAC
 * computation", "Parameter encryption").
 *
 * <p>This object itself authorizes with an empty auth value; {@link #withAuth} gives a view that uses
 * a password. Not thread-safe on its own; the {@link Tpm} facade runs one command at a time.
 */
public final class HmacSession implements Session, AutoCloseable {
    private static final byte[] NONE = new byte[0];

    private final Tpm tpm;
    private final int handle;
    private final TpmAlg authHash;
    private final byte[] sessionKey;
    private final SessionCipher cipher;
    private final byte[] bindName;
    private final byte[] bindAuth;
    /** Kept keyed with the HMAC key across commands. */
    private final KeyedMac hmacEngine;
    private byte[] nonceTpm;
    // the command in flight
    private byte[] nonceCaller = NONE;
    private int attributes;
    private byte[] hmacKey = NONE;
    /** The response's HMAC key: hmacKey, unless the command gave the authorized entity a new auth value. */
    private byte[] responseHmacKey = NONE;
    private boolean broken;
    private boolean open = true;

    private HmacSession(Tpm tpm, int handle, SessionOptions options, byte[] sessionKey, byte[] bindName,
            byte[] nonceTpm) {
        this.tpm = tpm;
        this.handle = handle;
        this.authHash = options.authHash();
        this.sessionKey = sessionKey;
        this.cipher = new SessionCipher(options);
        this.bindName = bindName;
        this.bindAuth = SessionCrypto.trimAuth(options.bindAuth());
        this.nonceTpm = nonceTpm;
        this.hmacEngine = new KeyedMac(authHash);
    }

    /** Starts a session; a salt key's public area is read from the TPM. */
    public static HmacSession start(Tpm tpm, SessionOptions options) {
        return start(tpm, options, SessionStart.saltKey(tpm, options));
    }

    /** Starts a session salted to {@code options.tpmKey()}, whose public area the caller already holds. */
    public static HmacSession start(Tpm tpm, SessionOptions options, TpmtPublic saltKey) {
        SessionStart s = SessionStart.start(tpm, options, saltKey, TpmSe.HMAC);
        return new HmacSession(tpm, s.handle(), options, s.sessionKey(), s.bindName(), s.nonceTpm());
    }

    /** The session handle (0x02xxxxxx). */
    public int handle() {
        return handle;
    }

    /** False after the TPM closed the session, after {@link #close}, or after a failed response check. */
    public boolean isUsable() {
        return open && !broken;
    }

    /** A view of this session that authorizes an entity whose auth value is {@code authValue}. */
    public Session withAuth(byte[] authValue) {
        return withAuth(authValue, true);
    }

    /**
     * A view that authorizes an entity whose auth value is {@code authValue}, with or without the
     * session's parameter encryption: a command whose parameters hold no secret needs only the HMAC,
     * which keeps the password off the bus as well.
     */
    public Session withAuth(byte[] authValue, boolean encryptParameters) {
        return new Authorized(SessionCrypto.trimAuth(authValue), encryptParameters ? cipher.directions() : 0);
    }

    @Override
    public byte[] prepare(CommandContext command) {
        return prepare(command, NONE, cipher.directions());
    }

    @Override
    public AuthCommand authorize(CommandContext command) {
        byte[] hmac = SessionCrypto.commandHmac(authHash, hmacEngine.keyedWith(hmacKey), command, nonceCaller,
                nonceTpm, attributes);
        return new AuthCommand(handle, nonceCaller, attributes, hmac);
    }

    @Override
    public void verify(AuthResponse response, ResponseContext context) {
        if (!SessionCrypto.responseHmacMatches(authHash, hmacEngine.keyedWith(responseHmacKey), context, response,
                nonceCaller)) {
            broken = true;
            throw SessionCrypto.altered(context.commandCode(), handle);
        }
        nonceTpm = response.nonce();
        open = (response.attributes() & TpmaSession.CONTINUE_SESSION) != 0;
    }

    @Override
    public byte[] decryptResponse(ResponseContext context) {
        return cipher.decryptResponse(context.parameters(), nonceTpm, nonceCaller);
    }

    @Override
    public boolean needsNames() {
        return true;
    }

    @Override
    public byte[] parameterEncryptionNonce(int attribute) {
        return cipher.nonceFor(attribute, nonceTpm);
    }

    private byte[] prepare(CommandContext command, byte[] auth, int encryption) {
        if (!isUsable()) {
            throw new IllegalStateException(String.format("session 0x%08x is %s; start a new one", handle,
                    broken ? "out of step after a failed response check" : "closed"));
        }
        nonceCaller = SessionCrypto.random(authHash.digestSize());
        boolean authorizes = command.authIndex() >= 0;
        boolean boundEntity = authorizes && bindName != null
                && Arrays.equals(bindName, command.names().get(command.authIndex())) && Arrays.equals(bindAuth, auth);
        hmacKey = SessionCrypto.concat(sessionKey, boundEntity ? NONE : auth);
        // the TPM keys the response HMAC with the entity's auth value after the command: the new one
        // after TPM2_HierarchyChangeAuth (Part 1, "HMAC Computation")
        responseHmacKey = authorizes && command.commandCode() == TpmCc.HierarchyChangeAuth
                ? SessionCrypto.concat(sessionKey, SessionCrypto.trimAuth(new TpmReader(command.parameters()).sized()))
                : hmacKey;
        attributes = TpmaSession.CONTINUE_SESSION | (command.encryptable() & encryption);
        return cipher.start(attributes, SessionCrypto.concat(sessionKey, authorizes ? auth : NONE), nonceCaller,
                nonceTpm, command.parameters());
    }

    /** Flushes the session from the TPM, unless the TPM already closed it. */
    @Override
    public void close() {
        if (open) {
            open = false;
            tpm.execute(new FlushContext(handle));
        }
    }

    @Override
    public String toString() {
        return String.format("HmacSession[handle=0x%08x, %s%s]", handle, sessionKey.length == 0 ? "unsalted" : "keyed",
                bindName == null ? "" : ", bound");
    }

    /** The session authorizing an entity with a given auth value. */
    private final class Authorized implements Session {
        private final byte[] auth;
        private final int encryption;

        Authorized(byte[] auth, int encryption) {
            this.auth = auth;
            this.encryption = encryption;
        }

        @Override
        public byte[] prepare(CommandContext command) {
            return HmacSession.this.prepare(command, auth, encryption);
        }

        @Override
        public AuthCommand authorize(CommandContext command) {
            return HmacSession.this.authorize(command);
        }

        @Override
        public void verify(AuthResponse response, ResponseContext context) {
            HmacSession.this.verify(response, context);
        }

        @Override
        public byte[] decryptResponse(ResponseContext context) {
            return HmacSession.this.decryptResponse(context);
        }

        @Override
        public byte[] parameterEncryptionNonce(int attribute) {
            return HmacSession.this.parameterEncryptionNonce(attribute);
        }

        @Override
        public boolean needsNames() {
            return true;
        }

        @Override
        public String toString() {
            return HmacSession.this + " with an auth value";
        }
    }
}
