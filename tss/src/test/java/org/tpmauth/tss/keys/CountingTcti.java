package org.tpmauth.tss.keys;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.wire.TpmReader;

/**
 * A TCTI that passes every command on to another and counts them by command code, to observe what
 * a layer above sends (how often it re-creates a primary, for one). Closing it leaves the other open.
 */
final class CountingTcti implements Tcti {
    private final Tcti target;
    private final Map<Integer, Integer> counts = new ConcurrentHashMap<>();

    CountingTcti(Tcti target) {
        this.target = target;
    }

    /** How many commands with this TPM_CC were sent. */
    int count(int commandCode) {
        return counts.getOrDefault(commandCode, 0);
    }

    @Override
    public byte[] transmit(byte[] command) {
        TpmReader header = new TpmReader(command).enter("command header");
        header.u16();
        header.u32();
        counts.merge(header.u32(), 1, Integer::sum);
        return target.transmit(command);
    }

    @Override
    public String describe() {
        return "counting:" + target.describe();
    }

    @Override
    public void close() {
        // the target belongs to the caller
    }
}
