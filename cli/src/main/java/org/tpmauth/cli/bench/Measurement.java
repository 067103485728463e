package org.tpmauth.cli.bench;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * One line of {@code tpmauth bench}: {@code name median_us client_cpu_us [ops_per_s]}, or
 * {@code name n/a n/a} for an operation this stack cannot run yet (with the reason, for stderr).
 *
 * @param name          the operation, e.g. {@code sign_ecdsa_p256}
 * @param medianMicros  median wall time per operation, microseconds
 * @param cpuMicros     this process's CPU time per operation, microseconds
 * @param opsPerSecond  throughput, for the threaded run only
 * @param unavailable   why the operation was not run, or null when it was
 */
public record Measurement(String name, double medianMicros, double cpuMicros, OptionalDouble opsPerSecond,
        String unavailable) {
    static Measurement of(String name, double medianMicros, double cpuMicros) {
        return new Measurement(name, medianMicros, cpuMicros, OptionalDouble.empty(), null);
    }

    static Measurement throughput(String name, double medianMicros, double cpuMicros, double opsPerSecond) {
        return new Measurement(name, medianMicros, cpuMicros, OptionalDouble.of(opsPerSecond), null);
    }

    static Measurement unavailable(String name, String reason) {
        return new Measurement(name, Double.NaN, Double.NaN, OptionalDouble.empty(), reason);
    }

    public boolean measured() {
        return unavailable == null;
    }

    /** The machine-readable output line. */
    public String line() {
        if (!measured()) {
            return name + " n/a n/a";
        }
        String line = String.format(Locale.ROOT, "%s %.1f %.1f", name, medianMicros, cpuMicros);
        return opsPerSecond.isPresent() ? line + String.format(Locale.ROOT, " %.0f", opsPerSecond.getAsDouble()) : line;
    }
}
