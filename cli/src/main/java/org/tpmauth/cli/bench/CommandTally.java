package org.tpmauth.cli.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.types.TpmCc;

/**
 * The transport under the benchmark's Tpm (below the resource manager), counting what reaches the TPM:
 * commands by code, round trips and bytes. Figures that the load on a shared machine does not change,
 * so that a change in speed can be told from noise.
 */
public final class CommandTally implements Tcti {
    private final Tcti target;
    private final Map<Integer, Long> commands = new TreeMap<>();
    private long bytesSent;
    private long bytesReceived;

    public CommandTally(Tcti target) {
        this.target = target;
    }

    /** What was sent so far. */
    record Counts(Map<Integer, Long> commands, long bytesSent, long bytesReceived) {
        long roundTrips() {
            return commands.values().stream().mapToLong(Long::longValue).sum();
        }

        /**
         * What was sent between {@code earlier} and this, per operation:
         * {@code commands=N.NN sent_bytes=N received_bytes=N TPM2_X=N.NN ...}.
         */
        String perOperation(Counts earlier, long operations) {
            Map<Integer, Long> diff = new TreeMap<>(commands);
            earlier.commands.forEach((code, n) -> diff.merge(code, -n, Long::sum));
            diff.values().removeIf(n -> n == 0);
            String byCode = diff.entrySet().stream()
                    .map(e -> TpmCc.nameOf(e.getKey()) + "=" + per(e.getValue(), operations))
                    .collect(Collectors.joining(" "));
            return String.format(Locale.ROOT, "commands=%s sent_bytes=%s received_bytes=%s %s",
                    per(roundTrips() - earlier.roundTrips(), operations), per(bytesSent - earlier.bytesSent, operations),
                    per(bytesReceived - earlier.bytesReceived, operations), byCode).trim();
        }

        private static String per(long count, long operations) {
            return String.format(Locale.ROOT, "%.2f", count / (double) operations);
        }
    }

    synchronized Counts counts() {
        return new Counts(Map.copyOf(commands), bytesSent, bytesReceived);
    }

    @Override
    public byte[] transmit(byte[] command) {
        byte[] response = target.transmit(command);
        synchronized (this) {
            commands.merge(((command[6] & 0xff) << 24) | ((command[7] & 0xff) << 16) | ((command[8] & 0xff) << 8)
                    | (command[9] & 0xff), 1L, Long::sum);
            bytesSent += command.length;
            bytesReceived += response.length;
        }
        return response;
    }

    @Override
    public void cancel() {
        target.cancel();
    }

    @Override
    public String describe() {
        return target.describe();
    }

    @Override
    public void close() {
        target.close();
    }
}
