package org.tpmauth.tss.resources;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;

/**
 * Where the handles of one TPM command buffer sit: the handle area (as many handles as the command's
 * TPMA_CC says) and the session handles of the authorization area, with each session's
 * continueSession bit. Offsets are into the buffer, so the resource manager can rewrite handles in
 * place.
 */
final class CommandLayout {
    static final int HEADER = 10;
    private static final int CONTINUE_SESSION = 0x01;
    /** A command carries at most three sessions. */
    private static final int MAX_SESSIONS = 3;

    final int commandCode;
    /** How many handles the handle area holds; handle i is at {@link #handleOffset}(i). */
    final int handleCount;
    final List<AuthSession> sessions;
    /** Offset of the parameter area. */
    final int parameters;

    /** One entry of the authorization area. */
    record AuthSession(int handle, boolean continueSession) {
    }

    private CommandLayout(int commandCode, int handleCount, List<AuthSession> sessions, int parameters) {
        this.commandCode = commandCode;
        this.handleCount = handleCount;
        this.sessions = sessions;
        this.parameters = parameters;
    }

    /** The command code of a buffer (the rest of its header is read and checked by {@link #parse}). */
    static int commandCode(byte[] command) {
        if (command.length < HEADER) { // read per command: no reader for three fields
            throw new TpmFormatException("command header", 0, "needs " + HEADER + " bytes but only "
                    + command.length + " remain");
        }
        return TpmReader.u32At(command, 6);
    }

    /**
     * Reads a command's header, handle area and authorization area.
     *
     * @param handleCount how many handles the command's handle area holds (from its TPMA_CC)
     * @throws org.tpmauth.tss.wire.TpmFormatException when the buffer does not hold them
     */
    static CommandLayout parse(byte[] command, int handleCount) {
        TpmReader in = new TpmReader(command).enter("command");
        int tag = in.u16();
        in.u32();
        int commandCode = in.u32();
        in.skip(4 * handleCount);
        if (tag == TpmSt.SESSIONS) {
            int authSize = in.u32();
            if (authSize < 0 || authSize > in.remaining()) {
                throw in.error("authorizationSize " + Integer.toUnsignedString(authSize) + " exceeds the command");
            }
            int end = in.position() + authSize;
            TpmReader auth = new TpmReader(command, in.position(), authSize).enter("TPMS_AUTH_COMMAND");
            List<AuthSession> sessions = new ArrayList<>(MAX_SESSIONS);
            while (auth.hasRemaining()) {
                int handle = auth.u32();
                auth.skip(auth.u16()); // nonceCaller
                int attributes = auth.u8();
                auth.skip(auth.u16()); // hmac
                sessions.add(new AuthSession(handle, (attributes & CONTINUE_SESSION) != 0));
            }
            return new CommandLayout(commandCode, handleCount, Collections.unmodifiableList(sessions), end);
        }
        return new CommandLayout(commandCode, handleCount, List.of(), in.position());
    }

    static int handleOffset(int index) {
        return HEADER + 4 * index;
    }

    static void putU32(byte[] buffer, int offset, int value) {
        buffer[offset] = (byte) (value >>> 24);
        buffer[offset + 1] = (byte) (value >>> 16);
        buffer[offset + 2] = (byte) (value >>> 8);
        buffer[offset + 3] = (byte) value;
    }
}
