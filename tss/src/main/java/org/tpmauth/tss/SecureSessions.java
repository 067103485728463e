package org.tpmauth.tss;

import java.util.ArrayList;
import java.util.List;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.TpmCommand;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.sessions.HmacSession;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.sessions.Session;
import org.tpmauth.tss.sessions.SessionOptions;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.wire.TpmFormatException;

/**
 * The facade's default protection: one salted HMAC session, salted by ECDH to the owner's ECC P-256
 * storage primary and reused for every command that carries a secret. The password of a
 * {@link PasswordSession} becomes that session's auth value (so only an HMAC of it is sent); secret
 * parameters are AES-CFB encrypted. Commands the caller gave HMAC or policy sessions, and commands
 * without secrets, run unchanged.
 */
final class SecureSessions {
    /** Runs a command with a given session list (the facade's raw path). */
    interface Runner {
        <R> R run(TpmCommand<R> command, List<Session> sessions);
    }

    private final Tpm tpm;
    private HmacSession session;

    SecureSessions(Tpm tpm) {
        this.tpm = tpm;
    }

    <R> R execute(TpmCommand<R> command, List<Session> sessions, Runner runner) {
        int slot = slotFor(command, sessions);
        if (slot < 0) {
            return runner.run(command, sessions);
        }
        boolean fresh = session == null || !session.isUsable();
        try {
            return runner.run(command, route(command, sessions, slot));
        } catch (TpmResponseException e) {
            if (fresh || !isSessionGone(e)) {
                throw e;
            }
            session = null; // the TPM lost it, e.g. after a restart: start again once
            return runner.run(command, route(command, sessions, slot));
        } catch (RuntimeException e) {
            // a tampered or malformed response or a broken transport: the nonces may be out of step
            close();
            throw e;
        }
    }

    /**
     * Which session slot the secure session takes: the first handle authorized by a non-empty password,
     * else (for secret parameters) the first handle or an extra session; -1 to run unchanged.
     */
    private static int slotFor(TpmCommand<?> command, List<Session> sessions) {
        int withPassword = -1;
        for (int i = sessions.size() - 1; i >= 0; i--) { // a loop, not a stream: this runs per command
            if (!(sessions.get(i) instanceof PasswordSession p)) {
                return -1;
            }
            if (!p.isEmpty()) {
                withPassword = i;
            }
        }
        if (withPassword >= 0) {
            return withPassword;
        }
        if (!command.carriesSecret()) {
            return -1;
        }
        return command.authHandleCount() > 0 ? 0 : sessions.size();
    }

    /** The sessions with the secure one in {@code slot}; it encrypts parameters only where they are secret. */
    private List<Session> route(TpmCommand<?> command, List<Session> sessions, int slot) {
        HmacSession hmac = session();
        List<Session> routed = new ArrayList<>(sessions);
        if (slot == routed.size()) {
            routed.add(hmac);
        } else {
            routed.set(slot, ((PasswordSession) routed.get(slot)).through(hmac, command.carriesSecret()));
        }
        return routed;
    }

    private HmacSession session() {
        if (session == null || !session.isUsable()) {
            // the primary is needed only to start the session; flushing it keeps an object slot free. The null
            // hierarchy's auth is always empty, so a password on the owner (tss2_changeauth /HS) stops nothing
            CreatePrimary.Response srk = tpm.execute(new CreatePrimary(TpmHandles.RH_NULL,
                    KeyTemplates.storagePrimaryEcc()));
            try {
                session = HmacSession.start(tpm, SessionOptions.unsalted().saltedTo(srk.objectHandle()),
                        srk.outPublic());
            } finally {
                tpm.execute(new FlushContext(srk.objectHandle()));
            }
        }
        return session;
    }

    private static boolean isSessionGone(TpmResponseException e) {
        int base = e.baseCode();
        return base >= TpmRc.REFERENCE_S0 && base <= TpmRc.REFERENCE_S6;
    }

    /** Flushes the session, if one is open; a TPM that lost it already is fine. */
    void close() {
        HmacSession s = session;
        session = null;
        if (s != null) {
            try {
                s.close();
            } catch (TpmException | TpmFormatException e) {
                // already gone from the TPM, or the transport fails: nothing left to flush
            }
        }
    }
}
