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
 */
public record Measurement(String name, double medianMicros, double cpuMicros, OptionalDouble opsPerSecond) {
    static Measurement of(String name, double medianMicros, double cpuMicros) {
        return new Measurement(name, medianMicros, cpuMicros, OptionalDouble.empty());
    }

    static Measurement throughput(String name, double medianMicros, double cpuMicros, double opsPerSecond) {
        return new Measurement(name, medianMicros, cpuMicros, OptionalDouble.of(opsPerSecond));
    }

    /** The machine-readable output line. */
    public String line() {
        String line = String.format(Locale.ROOT, "%s %.1f %.1f", name, medianMicros, cpuMicros);
        return opsPerSecond.isPresent() ? line + String.format(Locale.ROOT, " %.0f", opsPerSecond.getAsDouble()) : line;
    }
}
