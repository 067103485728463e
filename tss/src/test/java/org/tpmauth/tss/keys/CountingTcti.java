package org.tpmauth.tss.keys;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.wire.TpmReader;

/**
 * A TCTI that passes every command on to another and counts them by command code, to observe what
 * a layer above sends (how often it re-creates a primary, for one; the TPM commands of a TLS handshake).
 * Closing it leaves the other open.
 */
public final class CountingTcti implements Tcti {
    private final Tcti target;
    private final Map<Integer, Integer> counts = new ConcurrentHashMap<>();

    public CountingTcti(Tcti target) {
        this.target = target;
    }

    /** How many commands with this TPM_CC were sent. */
    public int count(int commandCode) {
        return counts.getOrDefault(commandCode, 0);
    }

    /** A copy of the counts so far, by TPM_CC (benchmarks subtract two of them). */
    public Map<Integer, Integer> counts() {
        return Map.copyOf(counts);
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
