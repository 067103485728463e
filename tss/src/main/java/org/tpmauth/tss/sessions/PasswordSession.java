package org.tpmauth.tss.sessions;

import java.util.Arrays;

/**
 * The password authorization (TPM_RS_PW): the auth value travels in clear. Used for empty auth
 * values and where the caller accepts a plain password on the bus.
 */
public final class PasswordSession implements Session {
    public static final PasswordSession EMPTY = new PasswordSession(new byte[0]);
    private static final int RS_PW = org.tpmauth.tss.types.TpmHandles.RS_PW;

    private final byte[] password;

    private PasswordSession(byte[] password) {
        this.password = password;
    }

    public static PasswordSession of(byte[] password) {
        return password.length == 0 ? EMPTY : new PasswordSession(password.clone());
    }

    /** True for the empty password. */
    public boolean isEmpty() {
        return password.length == 0;
    }

    /**
     * This password as the auth value of an HMAC session, so that it never crosses the bus in clear;
     * {@code encryptParameters} as in {@link HmacSession#withAuth(byte[], boolean)}.
     */
    public Session through(HmacSession session, boolean encryptParameters) {
        return session.withAuth(password, encryptParameters);
    }

    @Override
    public AuthCommand authorize(CommandContext command) {
        return new AuthCommand(RS_PW, new byte[0], AuthCommand.CONTINUE_SESSION, password);
    }

    @Override
    public void verify(AuthResponse response, ResponseContext context) {
        // a password session's response carries an empty nonce and hmac: nothing to check
    }

    /** Overwrites the stored password. */
    public void destroy() {
        Arrays.fill(password, (byte) 0);
    }

    @Override
    public String toString() {
        return "PasswordSession[" + (password.length == 0 ? "empty" : "set") + "]";
    }
}
