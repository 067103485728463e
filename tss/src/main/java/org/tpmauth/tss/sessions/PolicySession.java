package org.tpmauth.tss.sessions;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.PolicyGetDigest;
import org.tpmauth.tss.commands.PolicyPCR;
import org.tpmauth.tss.commands.PolicyRestart;
import org.tpmauth.tss.commands.TpmCommand;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmSe;
import org.tpmauth.tss.types.TpmaSession;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSymDefObject;

/**
 * A policy session (TPM2_StartAuthSession with TPM_SE_POLICY) or trial session (TPM_SE_TRIAL), unbound,
 * unsalted or salted. Policy commands run through {@link #run}, which records them: as an authorization the
 * session then sends an empty HMAC, unless TPM2_PolicyAuthValue was run (an HMAC keyed with the
 * entity's auth value, as an HMAC session computes it) or TPM2_PolicyPassword (the auth value in
 * clear). The TPM resets a policy session after it authorized a command, and so does this object.
 * A salted policy session may also encrypt the first parameter of the command it authorizes, and of the
 * response (AES-CFB, as {@link HmacSession} does), so that one session both satisfies an object's policy
 * and keeps its secret off the bus (Part 1, "Parameter Encryption": any session with a symmetric cipher).
 *
 * <p>A trial session only computes a digest ({@link #digest}); the TPM refuses it as an authorization.
 * Not thread-safe on its own.
 */
public final class PolicySession implements Session, AutoCloseable {
    private static final byte[] NONE = new byte[0];

    private final Tpm tpm;
    private final int handle;
    private final TpmAlg authHash;
    private final boolean trial;
    private final byte[] sessionKey;
    private final SessionCipher cipher;
    /** Kept keyed with the HMAC key across commands. */
    private final KeyedMac hmacEngine;
    private final List<Integer> commands = new ArrayList<>();
    /** What {@link #describe} says of each command run. */
    private final List<String> steps = new ArrayList<>();
    private byte[] nonceTpm;
    // the command in flight
    private byte[] nonceCaller = NONE;
    private byte[] hmacKey = NONE;
    private int attributes;
    private boolean emptyResponseHmac;
    private boolean open = true;
    private boolean broken;
    /** Whether the next authorization keeps the session (continueSession); see {@link #executeLast}. */
    private boolean continuing = true;

    private PolicySession(Tpm tpm, int handle, SessionOptions options, boolean trial, byte[] sessionKey,
            byte[] nonceTpm) {
        this.tpm = tpm;
        this.sessionKey = sessionKey;
        this.handle = handle;
        this.authHash = options.authHash();
        this.cipher = new SessionCipher(options);
        this.trial = trial;
        this.nonceTpm = nonceTpm;
        this.hmacEngine = new KeyedMac(authHash);
    }

    /** Starts an unsalted policy session whose digest uses {@code hash} (the authorized objects' nameAlg). */
    public static PolicySession start(Tpm tpm, TpmAlg hash) {
        return start(tpm, unsalted(hash), null, false);
    }

    /**
     * Starts a policy session salted to {@code options.tpmKey()} (or unsalted), with {@code options.authHash()}:
     * a salt keeps a PolicyAuthValue HMAC from serving as a test for guessed passwords. With a cipher in
     * {@code options} the session encrypts the first parameter of the command it authorizes and of its
     * response, in the directions {@code options} asks for; that needs a salt (an unsalted session's key is
     * known to whoever saw its start). Policy sessions are not bound here: the bind entity must be NULL.
     */
    public static PolicySession start(Tpm tpm, SessionOptions options) {
        return start(tpm, options, SessionStart.saltKey(tpm, options));
    }

    /** As {@link #start(Tpm, SessionOptions)}, with the salt key's public area the caller already holds. */
    public static PolicySession start(Tpm tpm, SessionOptions options, TpmtPublic saltKey) {
        if (options.bind() != TpmHandles.RH_NULL) {
            throw new IllegalArgumentException("a PolicySession is not bound: " + options);
        }
        if (!(options.symmetric() instanceof TpmtSymDefObject.Null) && options.tpmKey() == TpmHandles.RH_NULL) {
            throw new IllegalArgumentException("a policy session that encrypts parameters needs a salt: " + options);
        }
        return start(tpm, options, saltKey, false);
    }

    /** Starts a trial session: it computes a policy digest, checks nothing, and authorizes nothing. */
    public static PolicySession trial(Tpm tpm, TpmAlg hash) {
        return start(tpm, unsalted(hash), null, true);
    }

    private static SessionOptions unsalted(TpmAlg hash) {
        return SessionOptions.unsalted().withSymmetric(TpmtSymDefObject.NULL).withAuthHash(hash);
    }

    private static PolicySession start(Tpm tpm, SessionOptions options, TpmtPublic saltKey, boolean trial) {
        SessionStart s = SessionStart.start(tpm, options, saltKey, trial ? TpmSe.TRIAL : TpmSe.POLICY);
        return new PolicySession(tpm, s.handle(), options, trial, s.sessionKey(), s.nonceTpm());
    }

    /** The session handle (0x03xxxxxx). */
    public int handle() {
        return handle;
    }

    public boolean isTrial() {
        return trial;
    }

    /** The TPM's latest nonce: what a TPM2_PolicySigned signature or TPM2_PolicySecret may cover. */
    public byte[] nonceTpm() {
        return nonceTpm.clone();
    }

    /**
     * Runs a policy command on this session (one whose handles include {@link #handle}) and records
     * it; {@code sessions} authorize the command's own authorized handles (TPM2_PolicySecret,
     * TPM2_PolicyNV).
     */
    public <R> R run(TpmCommand<R> policyCommand, Session... sessions) {
        if (!policyCommand.handles().contains(handle)) {
            throw new IllegalArgumentException(String.format("%s does not act on policy session 0x%08x",
                    TpmCc.nameOf(policyCommand.commandCode()), handle));
        }
        String step = policyCommand instanceof PolicyPCR pcr
                ? "PolicyPCR(" + pcr.pcrs().stream().map(Object::toString).collect(Collectors.joining(", ")) + ")"
                : TpmCc.nameOf(policyCommand.commandCode());
        R result;
        try {
            result = tpm.execute(policyCommand, sessions);
        } catch (TpmResponseException e) {
            if (policyCommand instanceof PolicyPCR pcr && pcr.pcrDigest().length > 0 && e.is(TpmRc.VALUE)) {
                throw new TpmResponseException(e, step + " failed: the PCRs no longer hold the values the policy "
                        + "was made for");
            }
            if (e.is(TpmRc.PCR_CHANGED)) {
                throw new TpmResponseException(e, step + " failed: a PCR changed since this session's earlier "
                        + "PolicyPCR; restart the policy");
            }
            throw e;
        }
        if (policyCommand.commandCode() == TpmCc.PolicyRestart) {
            forget();
        } else {
            commands.add(policyCommand.commandCode());
            steps.add(step);
        }
        return result;
    }

    /**
     * Runs {@code command}, this session authorizing its (first) authorized handle, whose auth value is
     * {@code authValue}; when the TPM answers TPM_RC_POLICY_FAIL the error names the policy this
     * session satisfied, e.g. "PolicyPCR(sha256:[0, 7])". {@code more} follow it, e.g. a session that
     * encrypts the response.
     */
    public <R> R execute(TpmCommand<R> command, byte[] authValue, Session... more) {
        return execute(command, authValue, true, more);
    }

    /**
     * Runs {@code command} as {@link #execute} does, as this session's last: continueSession is clear, so
     * the TPM ends the session with a successful command and {@link #close} has nothing left to flush (one
     * TPM2_FlushContext less). After a failure the session stays open until closed.
     */
    public <R> R executeLast(TpmCommand<R> command, byte[] authValue, Session... more) {
        return execute(command, authValue, false, more);
    }

    private <R> R execute(TpmCommand<R> command, byte[] authValue, boolean continueSession, Session... more) {
        String policy = describe();
        List<Session> sessions = new ArrayList<>(List.of(withAuth(authValue)));
        sessions.addAll(List.of(more));
        continuing = continueSession;
        try {
            return tpm.execute(command, sessions.toArray(Session[]::new));
        } catch (TpmResponseException e) {
            if (e.is(TpmRc.POLICY_FAIL)) {
                throw new TpmResponseException(e, String.format("policy session 0x%08x ran %s, which is not the "
                        + "object's authPolicy (a PCR changed, or the policy is another one)", handle, policy));
            }
            throw e;
        } finally {
            continuing = true;
        }
    }

    private void forget() {
        commands.clear();
        steps.clear();
    }

    /** TPM2_PolicyGetDigest: the session's current policy digest. */
    public byte[] digest() {
        return tpm.execute(new PolicyGetDigest(handle)).policyDigest();
    }

    /** TPM2_PolicyRestart: back to a zero digest, with no policy commands run. */
    public void restart() {
        run(new PolicyRestart(handle));
    }

    /** The TPM_CC of the policy commands run since the start (or the last restart or authorization). */
    public List<Integer> commandsRun() {
        return List.copyOf(commands);
    }

    /** The policy commands run, e.g. "PolicyPCR(sha256:[0, 7]), PolicyAuthValue": for error messages. */
    public String describe() {
        return steps.isEmpty() ? "an empty policy" : String.join(", ", steps);
    }

    /**
     * A view of this session authorizing an entity whose auth value is {@code authValue}: used when the
     * policy holds TPM2_PolicyAuthValue or TPM2_PolicyPassword, ignored otherwise.
     */
    public Session withAuth(byte[] authValue) {
        byte[] auth = SessionCrypto.trimAuth(authValue);
        // parameter encryption's key: sessionKey || the entity's authValue, whatever the policy (Part 1,
        // "sessionValue"; libtpms adds the auth value of the entity a session authorizes)
        byte[] sessionValue = SessionCrypto.concat(sessionKey, auth);
        return new Session() {
            @Override
            public byte[] prepare(CommandContext command) {
                return PolicySession.this.prepare(command, auth, sessionValue);
            }

            @Override
            public AuthCommand authorize(CommandContext command) {
                return PolicySession.this.authorize(command, auth);
            }

            @Override
            public void verify(AuthResponse response, ResponseContext context) {
                PolicySession.this.verify(response, context);
            }

            @Override
            public byte[] decryptResponse(ResponseContext context) {
                return PolicySession.this.decryptResponse(context);
            }

            @Override
            public byte[] parameterEncryptionNonce(int attribute) {
                return PolicySession.this.parameterEncryptionNonce(attribute);
            }

            @Override
            public boolean needsNames() {
                return true;
            }

            @Override
            public String toString() {
                return PolicySession.this + " with an auth value";
            }
        };
    }

    @Override
    public byte[] prepare(CommandContext command) {
        return prepare(command, NONE, sessionKey);
    }

    @Override
    public AuthCommand authorize(CommandContext command) {
        return authorize(command, NONE);
    }

    private byte[] prepare(CommandContext command, byte[] auth, byte[] sessionValue) {
        if (!open || broken) {
            throw new IllegalStateException(String.format("policy session 0x%08x is %s; start a new one", handle,
                    broken ? "out of step after a failed response check" : "closed"));
        }
        nonceCaller = SessionCrypto.random(authHash.digestSize());
        hmacKey = SessionCrypto.concat(sessionKey, commands.contains(TpmCc.PolicyAuthValue) ? auth : NONE);
        attributes = (continuing ? TpmaSession.CONTINUE_SESSION : 0) | (command.encryptable() & cipher.directions());
        return cipher.start(attributes, sessionValue, nonceCaller, nonceTpm, command.parameters());
    }

    @Override
    public byte[] decryptResponse(ResponseContext context) {
        return cipher.decryptResponse(context.parameters(), nonceTpm, nonceCaller);
    }

    @Override
    public byte[] parameterEncryptionNonce(int attribute) {
        return cipher.nonceFor(attribute, nonceTpm);
    }

    private AuthCommand authorize(CommandContext command, byte[] auth) {
        byte[] hmac;
        if (commands.contains(TpmCc.PolicyPassword)) {
            hmac = auth;
        } else if (hmacKey.length > 0) { // PolicyAuthValue, or a salted session: sessionKey keys the HMAC
            hmac = SessionCrypto.commandHmac(authHash, hmacEngine.keyedWith(hmacKey), command, nonceCaller, nonceTpm,
                    attributes);
        } else {
            hmac = NONE;
        }
        emptyResponseHmac = commands.contains(TpmCc.PolicyPassword) || (hmac.length == 0 && hmacKey.length == 0);
        return new AuthCommand(handle, nonceCaller, attributes, hmac);
    }

    @Override
    public void verify(AuthResponse response, ResponseContext context) {
        // the TPM answers with an empty HMAC after PolicyPassword, and when both the key and the command's
        // HMAC were empty; else with one keyed as the command's (Part 1, "Response HMAC")
        boolean ok = emptyResponseHmac ? response.hmac().length == 0
                : SessionCrypto.responseHmacMatches(authHash, hmacEngine.keyedWith(hmacKey), context, response,
                        nonceCaller);
        if (!ok) {
            broken = true;
            throw SessionCrypto.altered(context.commandCode(), handle);
        }
        nonceTpm = response.nonce();
        open = (response.attributes() & TpmaSession.CONTINUE_SESSION) != 0;
        forget(); // the TPM reset the session's policy after using it
    }

    @Override
    public boolean needsNames() {
        return true;
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
        return String.format("PolicySession[handle=0x%08x, %s, %s, %s]", handle, trial ? "trial" : "policy",
                sessionKey.length == 0 ? "unsalted" : "salted", describe());
    }
}
