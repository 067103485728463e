package org.tpmauth.tss.sessions;

import java.util.List;

/**
 * An authorization session used for one command: it produces the command's TPMS_AUTH_COMMAND and
 * checks the TPMS_AUTH_RESPONSE. HMAC sessions also need the handles' Names (for cpHash) and may
 * encrypt the first command parameter and decrypt the first response parameter.
 *
 * <p>For each command the facade calls, per session in order: {@link #prepare}, then {@link #authorize}
 * over the final (possibly encrypted) parameters; on success {@link #verify}, then
 * {@link #decryptResponse}.
 */
public interface Session {
    /**
     * Starts a command: rolls the session's nonce and returns the parameter area, with the first
     * parameter encrypted when this session decrypts commands.
     */
    default byte[] prepare(CommandContext command) {
        return command.parameters();
    }

    /** The TPMS_AUTH_COMMAND for this command. */
    AuthCommand authorize(CommandContext command);

    /** Checks the TPM's TPMS_AUTH_RESPONSE; throws when it is not acceptable. */
    void verify(AuthResponse response, ResponseContext context);

    /** The response parameters, with the first one decrypted when this session had the TPM encrypt it. */
    default byte[] decryptResponse(ResponseContext context) {
        return context.parameters();
    }

    /**
     * This session's nonceTPM when it set {@code attribute} (TPMA_SESSION decrypt or encrypt) for the
     * command prepared last, else empty: the first session's HMAC covers it (Part 1, "HMAC Computation").
     */
    default byte[] parameterEncryptionNonce(int attribute) {
        return new byte[0];
    }

    /** True when {@link CommandContext#names} must hold the handles' Names (cpHash). */
    default boolean needsNames() {
        return false;
    }

    /**
     * What a session needs to know about the command it authorizes.
     *
     * @param names the Names of {@code handles} when a session {@link #needsNames}, else empty
     * @param authIndex the index of the handle this session authorizes, or -1 when it authorizes none
     *        (a session only for parameter encryption)
     * @param encryptable the parameter-encryption attributes the command allows (TPMA_SESSION decrypt
     *        and encrypt bits, see {@link org.tpmauth.tss.commands.TpmCommand#encryptableParameters})
     * @param encryptionNonces for the first session only: nonceTPMdecrypt || nonceTPMencrypt of other
     *        sessions that encrypt parameters (empty when none)
     */
    record CommandContext(int commandCode, List<Integer> handles, List<byte[]> names, byte[] parameters,
            int authIndex, int encryptable, byte[] encryptionNonces) {
        public CommandContext withParameters(byte[] newParameters) {
            return new CommandContext(commandCode, handles, names, newParameters, authIndex, encryptable,
                    encryptionNonces);
        }

        public CommandContext withEncryptionNonces(byte[] nonces) {
            return new CommandContext(commandCode, handles, names, parameters, authIndex, encryptable, nonces);
        }
    }

    /** What a session needs to know about the response it checks. */
    record ResponseContext(int commandCode, int responseCode, byte[] parameters) {
        public ResponseContext withParameters(byte[] newParameters) {
            return new ResponseContext(commandCode, responseCode, newParameters);
        }
    }
}
