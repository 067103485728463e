package org.tpmauth.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The opt-in benchmarks' output (-Dtpmauth.bench=true): one machine-readable line per comparison,
 * {@code bench NAME key=value ...}, medians in milliseconds; bench/vpn.sh collects them from the surefire
 * output files.
 */
final class BenchLine {
    private final String name;
    private final Map<String, String> fields = new LinkedHashMap<>();

    BenchLine(String name) {
        this.name = name;
    }

    /** The median of wall times in nanoseconds, in milliseconds. */
    static double medianMillis(List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        return median / 1e6;
    }

    /** Adds {@code key_median_ms} for these samples; returns the median. */
    double median(String key, List<Long> nanos) {
        double ms = medianMillis(nanos);
        fields.put(key + "_median_ms", format(ms));
        return ms;
    }

    /**
     * Adds {@code key_ci95_low_ms} and {@code key_ci95_high_ms}: a 95% confidence interval for the median of
     * these samples that assumes nothing about their distribution (sign test: the k-th smallest and k-th
     * largest sample, k from the normal approximation of the binomial; needs at least 6 samples).
     */
    BenchLine confidence95(String key, List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        int n = sorted.length;
        int k = Math.max(1, (int) Math.floor((n - 1.96 * Math.sqrt(n)) / 2)); // 1-based
        fields.put(key + "_ci95_low_ms", format(sorted[k - 1] / 1e6));
        fields.put(key + "_ci95_high_ms", format(sorted[n - k] / 1e6));
        return this;
    }

    /** Adds {@code key_diff_ms} and {@code key_ratio} of two medians. */
    BenchLine compare(String key, double value, double baseline) {
        fields.put(key + "_diff_ms", format(value - baseline));
        fields.put(key + "_ratio", String.format(Locale.ROOT, "%.3f", value / baseline));
        return this;
    }

    BenchLine with(String key, Object value) {
        fields.put(key, String.valueOf(value));
        return this;
    }

    void print() {
        System.out.println("bench " + name + " " + fields.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")));
    }

    private static String format(double ms) {
        return String.format(Locale.ROOT, "%.2f", ms);
    }
}
