package org.tpmauth.demo;

import java.util.concurrent.atomic.AtomicLong;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.types.TpmCc;

/**
 * A transport that counts the signatures the TPM made: successful Sign, Quote and Certify commands (a
 * command the resource manager resends after making room counts once).
 */
public final class SignatureCounter implements Tcti {
    private final Tcti inner;
    private final AtomicLong signatures = new AtomicLong();

    public SignatureCounter(Tcti inner) {
        this.inner = inner;
    }

    public long signatures() {
        return signatures.get();
    }

    @Override
    public byte[] transmit(byte[] command) {
        byte[] response = inner.transmit(command);
        int code = u32At(command, 6);
        if ((code == TpmCc.Sign || code == TpmCc.Quote || code == TpmCc.Certify) && u32At(response, 6) == 0) {
            signatures.incrementAndGet();
        }
        return response;
    }

    /** The big-endian u32 at {@code offset} (a header's code), or -1 for a message too short to have one. */
    private static int u32At(byte[] message, int offset) {
        if (message.length < offset + 4) {
            return -1;
        }
        return (message[offset] & 0xff) << 24 | (message[offset + 1] & 0xff) << 16 | (message[offset + 2] & 0xff) << 8
                | message[offset + 3] & 0xff;
    }

    @Override
    public void cancel() {
        inner.cancel();
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() {
        inner.close();
    }
}
