package org.tpmauth.tss.transport;

/**
 * A TPM command transmission interface: sends one command buffer, returns the response buffer.
 * Implementations are not thread-safe; {@code Tpm} serialises access.
 */
public interface Tcti extends AutoCloseable {
    /**
     * Sends a complete command and returns the complete response.
     *
     * @throws TpmTransportException when the TPM cannot be reached or the response is cut off
     */
    byte[] transmit(byte[] command);

    /** Asks the TPM to cancel the running command, where the transport supports it. */
    default void cancel() {
    }

    /** The config string this transport was opened from, for messages ("swtpm:host=...,port=..."). */
    String describe();

    @Override
    void close();
}
