package org.tpmauth.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The demo's account of itself: a line per step as it runs (what happened, the time, the TPM
 * signatures it took, PASS or FAIL), then a closing table, and the same as JSON.
 */
public final class DemoReport {
    /** A step's result: its value for the next steps and a line for people. */
    record Done<T>(T value, String detail) {
    }

    /** One step as it went. */
    public record Step(int number, String chapter, String machine, String title, boolean passed, double millis,
            long tpmSignatures, String detail) {
    }

    private final PrintStream progress;
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, String> keyPlaces = new LinkedHashMap<>();
    private final long started = System.nanoTime();
    private String chapter = "";

    DemoReport(PrintStream progress) {
        this.progress = progress;
    }

    void chapter(String title) {
        chapter = title;
        progress.println();
        progress.println(title);
    }

    void keyLives(String key, String where) {
        keyPlaces.put(key, where);
    }

    /** Runs a step: it behaved as the story says when it returns; a throw is its failure. */
    <T> T step(SimulatedMachine machine, String title, Callable<Done<T>> body) throws StepFailedException {
        int number = steps.size() + 1;
        progress.println("[" + number + "] " + title);
        progress.flush();
        machine.takeSignatures();
        long t0 = System.nanoTime();
        Done<T> done;
        String failure = null;
        try {
            done = body.call();
        } catch (Exception e) {
            done = null;
            failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        double millis = (System.nanoTime() - t0) / 1e6;
        long signatures = machine.takeSignatures();
        boolean passed = done != null;
        Step step = new Step(number, chapter, machine.name(), title, passed, millis, signatures,
                passed ? done.detail() : failure);
        steps.add(step);
        progress.printf("    %s %9.1f ms  %d TPM signature%s  %s%n", passed ? "PASS" : "FAIL", millis, signatures,
                signatures == 1 ? "" : "s", step.detail());
        if (!passed) {
            throw new StepFailedException(step);
        }
        return done.value();
    }

    /** Thrown when a step did not behave as the story says; the later steps build on it, so the story stops. */
    static final class StepFailedException extends Exception {
        StepFailedException(Step step) {
            super("step " + step.number() + " failed: " + step.detail());
        }
    }

    public List<Step> steps() {
        return List.copyOf(steps);
    }

    public boolean passed() {
        return !steps.isEmpty() && steps.stream().allMatch(Step::passed);
    }

    /** The closing table: every step, its time, its TPM signatures; then where each key lives. */
    public void printTable(PrintStream out, int expectedSteps) {
        out.println();
        out.printf("%-4s %-10s %10s %6s  %s%n", "step", "machine", "ms", "sigs", "result");
        for (Step s : steps) {
            out.printf("%-4d %-10s %10.1f %6d  %s%n", s.number(), s.machine(), s.millis(), s.tpmSignatures(),
                    s.passed() ? "PASS" : "FAIL");
        }
        out.println();
        out.println("Where each key lives:");
        keyPlaces.forEach((key, where) -> out.println("  " + key + ": " + where));
        out.println();
        long passedSteps = steps.stream().filter(Step::passed).count();
        out.printf("Result: %d of %d steps behaved as the story says (%.1f s).%n", passedSteps, expectedSteps,
                (System.nanoTime() - started) / 1e9);
    }

    /** The same as JSON: {"passed", "seconds", "steps": [...], "keys": {key: where}}. */
    public String toJson(int expectedSteps) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("passed", passed() && steps.size() == expectedSteps);
        root.put("seconds", Math.round((System.nanoTime() - started) / 1e6) / 1e3);
        ArrayNode list = root.putArray("steps");
        for (Step s : steps) {
            ObjectNode n = list.addObject();
            n.put("step", s.number());
            n.put("chapter", s.chapter());
            n.put("machine", s.machine());
            n.put("title", s.title());
            n.put("passed", s.passed());
            n.put("ms", Math.round(s.millis() * 10) / 10.0);
            n.put("tpm_signatures", s.tpmSignatures());
            n.put("detail", s.detail());
        }
        ObjectNode keys = root.putObject("keys");
        keyPlaces.forEach(keys::put);
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
