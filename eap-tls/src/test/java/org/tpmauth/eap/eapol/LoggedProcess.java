package org.tpmauth.eap.eapol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A peer program started by a test, its output in a log file, polled for lines; stopped by its process.
 * Closing also deletes the program's working folder when one was given.
 */
public final class LoggedProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final String name;
    private final Path workDir;

    public LoggedProcess(List<String> command, Path log) throws IOException {
        this(command, log, null);
    }

    /** Runs {@code command}, logging to {@code log}; {@code workDir} (may be null) is deleted on close. */
    public LoggedProcess(List<String> command, Path log, Path workDir) throws IOException {
        this.log = log;
        this.name = String.join(" ", command);
        this.workDir = workDir;
        this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Waits until the log satisfies {@code ready}; fails with the log's end when the program exits or time runs out. */
    public void await(Predicate<String> ready, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String text = log();
            if (ready.test(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before " + what
                        + ":\n" + tail(text));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + ": no " + what + " after " + seconds + " s:\n" + tail(log()));
    }

    public static String tail(String text) {
        return text.length() <= 5000 ? text : text.substring(text.length() - 5000);
    }

    @Override
    public void close() {
        // ip netns exec replaces itself with the program, so this is the program's own process
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (workDir != null) {
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a temporary folder left behind
            }
        }
    }
}
