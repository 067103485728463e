package org.tpmauth.tss.sessions;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.tpmauth.tss.transport.Tcti;

/**
 * A man in the middle for tests: records every command and response byte, lists the command codes
 * sent, and can flip one byte of the next response. Closing it leaves the target open.
 */
final class TappedTcti implements Tcti {
    private final Tcti target;
    private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();
    private final List<Integer> commandCodes = new ArrayList<>();
    private int tamperAt = -1;
    private int lastResponseLength;

    TappedTcti(Tcti target) {
        this.target = target;
    }

    /** Flips the bits of byte {@code position} of the next response (counted from its start). */
    synchronized void tamperNextResponse(int position) {
        tamperAt = position;
    }

    synchronized byte[] recorded() {
        return recorded.toByteArray();
    }

    synchronized int lastResponseLength() {
        return lastResponseLength;
    }

    /** Commands sent so far. */
    synchronized int commandCount() {
        return commandCodes.size();
    }

    /** The command codes sent since the {@code start}-th command. */
    synchronized List<Integer> commandsSince(int start) {
        return List.copyOf(commandCodes.subList(start, commandCodes.size()));
    }

    synchronized int count(int commandCode) {
        return (int) commandCodes.stream().filter(c -> c == commandCode).count();
    }

    @Override
    public synchronized byte[] transmit(byte[] command) {
        recorded.writeBytes(command);
        commandCodes.add(((command[6] & 0xff) << 24) | ((command[7] & 0xff) << 16) | ((command[8] & 0xff) << 8)
                | (command[9] & 0xff));
        byte[] response = target.transmit(command);
        if (tamperAt >= 0 && tamperAt < response.length) {
            response[tamperAt] ^= (byte) 0xff;
        }
        tamperAt = -1;
        lastResponseLength = response.length;
        recorded.writeBytes(response);
        return response;
    }

    @Override
    public String describe() {
        return "tapped:" + target.describe();
    }

    @Override
    public void close() {
        // the target belongs to the caller
    }
}
