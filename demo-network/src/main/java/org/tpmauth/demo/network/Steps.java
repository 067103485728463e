package org.tpmauth.demo.network;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Runs the network demo's steps one after the other: a line when a step starts, a verdict line (PASS / FAIL,
 * its time, the TPM signatures it took, what happened), and at the end the closing table.
 */
final class Steps {
    /**
     * One step's outcome: {@code name} is its short name (the table's), {@code keyLocation} says where the key
     * it used lives.
     */
    record Result(int number, String name, String title, boolean passed, double millis, long tpmSignatures,
            String detail, String keyLocation) {
    }

    /** A step's work; returns the detail line (what happened, with the real numbers). */
    @FunctionalInterface
    interface Action {
        String run() throws Exception;
    }

    /** A step failed; the steps after it build on it, so the demo stops. */
    static final class StepFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        StepFailedException(String title, Exception cause) {
            super("step failed: " + title + ": " + cause.getMessage(), cause);
        }
    }

    private final PrintStream out;
    private final LongSupplier signatures;
    private final List<Result> results = new ArrayList<>();

    Steps(PrintStream out, LongSupplier signatures) {
        this.out = out;
        this.signatures = signatures;
    }

    void run(String name, String title, String keyLocation, Action action) throws StepFailedException {
        int number = results.size() + 1;
        out.printf("[%d] %s%n", number, title);
        out.flush();
        long start = System.nanoTime();
        long signed = signatures.getAsLong();
        try {
            String detail = action.run();
            record(number, name, title, true, start, signed, detail, keyLocation);
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            record(number, name, title, false, start, signed, reason, keyLocation);
            throw new StepFailedException(title, e);
        } finally {
            out.flush();
        }
    }

    private void record(int number, String name, String title, boolean passed, long start, long signedBefore,
            String detail, String keyLocation) {
        Result r = new Result(number, name, title, passed, millisSince(start), signatures.getAsLong() - signedBefore,
                detail, keyLocation);
        results.add(r);
        out.printf("    %s  %8.1f ms  %s%n", passed ? "PASS" : "FAIL", r.millis(), detail);
    }

    List<Result> results() {
        return List.copyOf(results);
    }

    /** The closing table: step, time, TPM signatures, where the key lives. */
    void printTable() {
        out.println();
        out.printf("%-3s %-22s %-4s %10s %8s  %s%n", "#", "step", "", "time", "TPM sigs", "where the key lives");
        for (Result r : results) {
            out.printf("%-3d %-22s %-4s %7.0f ms %8d  %s%n", r.number(), r.name(), r.passed() ? "PASS" : "FAIL",
                    r.millis(), r.tpmSignatures(), r.keyLocation());
        }
        long passed = results.stream().filter(Result::passed).count();
        out.printf("Result: %d of %d steps passed.%n", passed, results.size());
        out.flush();
    }

    private static double millisSince(long start) {
        return (System.nanoTime() - start) / 1e6;
    }
}
