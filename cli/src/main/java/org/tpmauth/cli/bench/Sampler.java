package org.tpmauth.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Times operations: warm-up runs first (JIT), then wall time and client CPU time per run; reports
 * medians. Serial runs count this thread's CPU time; threaded runs the whole process's.
 */
final class Sampler {
    /** Enough for the JIT to compile the command path; capped so slow operations stay bearable. */
    private static final int MAX_WARMUP = 50;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final int iterations;
    private final CommandTally tally;

    Sampler(int iterations, CommandTally tally) {
        this.iterations = iterations;
        this.tally = tally;
    }

    /** One run of a threaded operation. */
    interface ThreadedOp {
        void run(int thread, int iteration);
    }

    Measurement serial(String name, Runnable timed) {
        return serial(name, () -> {
            timed.run();
            return null;
        }, result -> { });
    }

    /** Times {@code timed} only; {@code after} (e.g. flushing what it created) runs untimed. */
    <T> Measurement serial(String name, Supplier<T> timed, Consumer<T> after) {
        for (int i = 0; i < Math.min(iterations, MAX_WARMUP); i++) {
            after.accept(timed.get());
        }
        long[] wall = new long[iterations];
        long[] cpu = new long[iterations];
        CommandTally.Counts before = tally.counts();
        for (int i = 0; i < iterations; i++) {
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            T result = timed.get();
            wall[i] = System.nanoTime() - wall0;
            cpu[i] = THREADS.getCurrentThreadCpuTime() - cpu0;
            after.accept(result);
        }
        return Measurement.of(name, micros(median(wall)), micros(median(cpu)),
                tally.counts().perOperation(before, iterations));
    }

    /**
     * The warm-up of a {@link #threaded} run, as the serial runs have theirs: the same run, unmeasured
     * ({@code threads} threads, {@code op} {@code iterations} times each). The paths only contention takes
     * (the queue's waits, swaps between keys) get compiled; measured cold, the JIT's compilations cost
     * the run several times its own CPU, taken from the TPM's process on a small machine.
     */
    void warmUp(int threads, ThreadedOp op) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            submitEach(pool, threads, thread -> {
                for (int i = 0; i < iterations; i++) {
                    op.run(thread, i);
                }
            }).forEach(Sampler::await);
        } finally {
            pool.shutdownNow();
        }
    }

    /** What one of the threads does. */
    private interface ThreadBody {
        void run(int thread) throws InterruptedException;
    }

    /** Submits {@code body} once per thread number 0 .. threads-1. */
    private static List<Future<?>> submitEach(ExecutorService pool, int threads, ThreadBody body) {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                body.run(thread);
                return null;
            }));
        }
        return done;
    }

    /**
     * {@code threads} threads each run {@code op} {@code iterations} times, all starting together.
     * Latency is the median per run (waiting for the TPM included); CPU is the process's CPU time over
     * the run divided by the number of runs.
     */
    Measurement threaded(String name, int threads, ThreadedOp op) {
        long[][] wall = new long[threads][iterations];
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = submitEach(pool, threads, thread -> {
                start.await();
                for (int i = 0; i < iterations; i++) {
                    long wall0 = System.nanoTime();
                    op.run(thread, i);
                    wall[thread][i] = System.nanoTime() - wall0;
                }
            });
            CommandTally.Counts before = tally.counts();
            long cpu0 = OS.getProcessCpuTime();
            long wall0 = System.nanoTime();
            start.countDown();
            for (Future<?> f : done) {
                await(f);
            }
            long elapsed = System.nanoTime() - wall0;
            long cpu = OS.getProcessCpuTime() - cpu0;
            long runs = (long) threads * iterations;
            long[] all = Arrays.stream(wall).flatMapToLong(Arrays::stream).toArray();
            return Measurement.throughput(name, micros(median(all)), micros(cpu / (double) runs),
                    runs * 1e9 / elapsed, tally.counts().perOperation(before, runs));
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(Future<?> f) {
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("a benchmark thread failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static double micros(double nanos) {
        return nanos / 1000.0;
    }
}
