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

    /**
     * Adds {@code key_trimmed_mean_ms} (the mean of the middle 80% of the samples) and its 95% confidence
     * interval {@code key_trimmed_mean_ci95_low_ms} / {@code _high_ms} (Tukey and McLaughlin: the winsorized
     * standard deviation over (1 - 2 * 0.1) sqrt(n), normal approximation; needs at least 10 samples). Unlike
     * the median, it resolves steps finer than the samples': charon logs whole milliseconds, and since a run's
     * start and end fall at random phases within their milliseconds, each difference of two log timestamps is
     * the true time rounded up or down, and the mean of many is the true mean.
     */
    BenchLine trimmedMean95(String key, List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        int n = sorted.length;
        int g = n / 10;
        double sum = 0;
        for (int i = g; i < n - g; i++) {
            sum += sorted[i];
        }
        double mean = sum / (n - 2 * g);
        double winsorizedSum = 0;
        for (int i = 0; i < n; i++) {
            winsorizedSum += sorted[Math.min(Math.max(i, g), n - g - 1)];
        }
        double winsorizedMean = winsorizedSum / n;
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double d = sorted[Math.min(Math.max(i, g), n - g - 1)] - winsorizedMean;
            squares += d * d;
        }
        double halfWidth = 1.96 * Math.sqrt(squares / (n - 1)) / ((1 - 2.0 * g / n) * Math.sqrt(n));
        fields.put(key + "_trimmed_mean_ms", format(mean / 1e6));
        fields.put(key + "_trimmed_mean_ci95_low_ms", format((mean - halfWidth) / 1e6));
        fields.put(key + "_trimmed_mean_ci95_high_ms", format((mean + halfWidth) / 1e6));
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
