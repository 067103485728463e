package org.tpmauth.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A peer program started by a test (openssl s_server, mosquitto, OpenVPN, FreeRADIUS, hostapd, ...), its
 * output in a log file that tests poll and show on failure. Closing stops it and, when one was given,
 * deletes its working folder.
 */
public class LoggedProcess implements AutoCloseable {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private final Process process;
    private final Path log;
    private final String name;
    private final Path workDir;

    /**
     * Starts {@code command} in {@code dir}, logging to a new {@code *.log} file there, and waits (30 s at
     * most: a JVM starting on a loaded 2-core machine can take 10) until its output contains {@code readyText}.
     */
    public LoggedProcess(Path dir, List<String> command, String readyText) throws IOException, InterruptedException {
        this(dir, command, Files.createTempFile(dir, Path.of(command.get(0)).getFileName() + "-", ".log"), null);
        try {
            awaitLog(readyText, Duration.ofSeconds(30));
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** Starts {@code command}, logging to {@code log}; does not wait for it. */
    public LoggedProcess(List<String> command, Path log) throws IOException {
        this(null, command, log, null);
    }

    /** Starts {@code command}, logging to {@code log}; {@code workDir} (may be null) is deleted on close. */
    public LoggedProcess(List<String> command, Path log, Path workDir) throws IOException {
        this(null, command, log, workDir);
    }

    private LoggedProcess(Path dir, List<String> command, Path log, Path workDir) throws IOException {
        this.log = log;
        this.name = String.join(" ", command);
        this.workDir = workDir;
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        this.process = pb.start();
    }

    /**
     * A TCP port that was free a moment ago on 127.0.0.1, never one handed out before in this JVM: the
     * kernel may give a port it just gave again, and two peers of one test must not get the same.
     */
    public static int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    /** A UDP port that was free a moment ago on 127.0.0.1, never one handed out before in this JVM. */
    public static int freeUdpPort() throws IOException {
        while (true) {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    /** The last 5000 characters of {@code text}: enough of a log for a failure message. */
    public static String tail(String text) {
        return text.length() <= 5000 ? text : text.substring(text.length() - 5000);
    }

    /** The running program, e.g. to signal it or read its exit code. */
    public Process process() {
        return process;
    }

    /** The file the program's output goes to. */
    public Path logFile() {
        return log;
    }

    /** Everything the program printed so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the log of " + name, e);
        }
    }

    /** Waits until the output contains {@code text}. */
    public void awaitLog(String text, Duration timeout) throws InterruptedException {
        await(log -> log.contains(text), timeout, "'" + text + "'");
    }

    /**
     * Waits until the log satisfies {@code ready}; fails with the log's end when the program exits or
     * {@code timeout} passes.
     */
    public void await(Predicate<String> ready, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String text = log();
            if (ready.test(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before " + what
                        + ":\n" + tail(text));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + ": no " + what + " after " + timeout.toSeconds() + " s:\n"
                        + tail(text));
            }
            Thread.sleep(20);
        }
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
