package org.tpmauth.tss.sessions;

/**
 * An authorization session used for one command: it produces the command's TPMS_AUTH_COMMAND and
 * checks the TPMS_AUTH_RESPONSE. Password sessions live here; HMAC and policy sessions build on
 * the same two calls (they need the command and response parameter hashes the contexts carry).
 */
public interface Session {
    /** The TPMS_AUTH_COMMAND for this command. */
    AuthCommand authorize(CommandContext command);

    /** Checks the TPM's TPMS_AUTH_RESPONSE; throws when it is not acceptable. */
    void verify(AuthResponse response, ResponseContext context);

    /** What a session needs to know about the command it authorizes. */
    record CommandContext(int commandCode, java.util.List<Integer> handles, byte[] parameters) {
    }

    /** What a session needs to know about the response it checks. */
    record ResponseContext(int commandCode, int responseCode, byte[] parameters) {
    }
}
