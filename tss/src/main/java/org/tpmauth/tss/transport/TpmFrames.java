package org.tpmauth.tss.transport;

import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.wire.TpmReader;

/** What every transport checks about command and response buffers, with the words for its messages. */
final class TpmFrames {
    /** The TPM header: tag (u16), size (u32), code (u32). */
    static final int HEADER = 10;
    /** No TPM response is larger; a bigger size means the stream is not speaking TPM. */
    static final int MAX_RESPONSE = 64 * 1024;

    private TpmFrames() {
    }

    /** TPM2_Startup(SU_CLEAR), a fresh copy (transports may modify what they send). */
    static byte[] startupClear() {
        return new byte[] {(byte) 0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x44, 0, 0};
    }

    /** TPM2_Shutdown(SU_CLEAR), a fresh copy. */
    static byte[] shutdownClear() {
        return new byte[] {(byte) 0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x45, 0, 0};
    }

    /** The response code (bytes 6..9) of a response of at least 10 bytes. */
    static int responseCode(byte[] response) {
        return TpmReader.u32At(response, 6);
    }

    /** "TPM2_GetRandom" from the command code at bytes 6..9, for messages. */
    static String commandName(byte[] command) {
        if (command == null || command.length < HEADER) {
            return "a command shorter than a TPM header";
        }
        return TpmCc.nameOf(TpmReader.u32At(command, 6));
    }

    /**
     * The total size a response header declares, checked against what a TPM can send.
     *
     * @param header at least the 10 header bytes
     * @param source who sent it, e.g. "swtpm at 127.0.0.1:2321"
     * @param command what was sent, named in the message
     */
    static int responseSize(byte[] header, String source, byte[] command) {
        int size = TpmReader.u32At(header, 2);
        checkSize(size, source, command);
        return size;
    }

    /**
     * Fails unless {@code size} (an unsigned u32) is a possible TPM response size.
     *
     * @param command what was sent, named in the message (only then: naming costs an allocation)
     */
    static void checkSize(int size, String source, byte[] command) {
        if (Integer.compareUnsigned(size, HEADER) < 0 || Integer.compareUnsigned(size, MAX_RESPONSE) > 0) {
            throw new TpmTransportException(source + " sent a response of " + Integer.toUnsignedString(size)
                    + " bytes to " + commandName(command) + ", but a TPM response has " + HEADER + " to " + MAX_RESPONSE
                    + " bytes: is that really a TPM (check the host, port or device)?");
        }
    }
}
