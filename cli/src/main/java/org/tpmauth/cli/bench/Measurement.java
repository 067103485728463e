package org.tpmauth.cli.bench;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * One line of {@code tpmauth bench}: {@code name median_us client_cpu_us [ops_per_s]}.
 *
 * @param name          the operation, e.g. {@code sign_ecdsa_p256}
 * @param medianMicros  median wall time per operation, microseconds
 * @param cpuMicros     this process's CPU time per operation, microseconds
 * @param opsPerSecond  throughput, for the threaded run only
 * @param traffic       what reached the TPM per timed operation (see {@link CommandTally.Counts#perOperation})
 */
public record Measurement(String name, double medianMicros, double cpuMicros, OptionalDouble opsPerSecond,
        String traffic) {
    static Measurement of(String name, double medianMicros, double cpuMicros, String traffic) {
        return new Measurement(name, medianMicros, cpuMicros, OptionalDouble.empty(), traffic);
    }

    static Measurement throughput(String name, double medianMicros, double cpuMicros, double opsPerSecond,
            String traffic) {
        return new Measurement(name, medianMicros, cpuMicros, OptionalDouble.of(opsPerSecond), traffic);
    }

    /** The comment line with {@link #traffic}: {@code # traffic NAME commands=... TPM2_Sign=1.00 ...}. */
    public String trafficLine() {
        return "# traffic " + name + " " + traffic;
    }

    /** The machine-readable output line. */
    public String line() {
        String line = String.format(Locale.ROOT, "%s %.1f %.1f", name, medianMicros, cpuMicros);
        return opsPerSecond.isPresent() ? line + String.format(Locale.ROOT, " %.0f", opsPerSecond.getAsDouble()) : line;
    }
}
