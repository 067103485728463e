package org.tpmauth.tss.commands;

import java.util.List;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * One TPM 2.0 command (Part 3): its code, its handle area, which handles need authorization, and
 * its parameters. Implemented by one record per command; {@code Tpm.execute} builds the command
 * buffer, adds the sessions and reads the typed response.
 *
 * @param <R> the response record
 */
public interface TpmCommand<R> {
    /** TPM_CC of this command. */
    int commandCode();

    /** The handle area in order; empty for commands without handles. */
    default List<Integer> handles() {
        return List.of();
    }

    /** How many leading handles need an authorization session (the "@" handles of Part 3). */
    default int authHandleCount() {
        return 0;
    }

    /**
     * The parameter-encryption attributes a session may set for this command (Part 1, "Parameter
     * Encryption"): {@link org.tpmauth.tss.types.TpmaSession#DECRYPT} when the first command parameter
     * is a TPM2B, {@link org.tpmauth.tss.types.TpmaSession#ENCRYPT} when the first response parameter
     * is one. The TPM refuses either attribute on a command without such a parameter.
     */
    default int encryptableParameters() {
        return 0;
    }

    /**
     * True when the parameters carry a secret (an auth value, sensitive data, a decrypted message):
     * the facade's secure sessions then encrypt them even when no password authorizes the command.
     */
    default boolean carriesSecret() {
        return false;
    }

    /** Writes the parameter area (everything after the handles and sessions). */
    default void marshalParameters(TpmWriter out) {
    }

    /** How many handles the response carries before its parameters (0 or 1). */
    default int responseHandleCount() {
        return 0;
    }

    /**
     * The Name of the object at the response handle, when the response says it (TPM2_Load, TPM2_CreatePrimary),
     * else null: the facade keeps it for cpHash instead of asking TPM2_ReadPublic later.
     */
    default byte[] createdName(R response) {
        return null;
    }

    /**
     * Reads the response's parameter area; {@code handles} holds the response handles. The reader
     * spans exactly the parameter area, and must be consumed whole.
     */
    R readResponse(int[] handles, TpmReader parameters);
}
