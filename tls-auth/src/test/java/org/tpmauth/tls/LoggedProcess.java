package org.tpmauth.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A peer program (openssl s_server, mosquitto) whose output is collected for waiting and assertions. */
public class LoggedProcess implements AutoCloseable {
    private final Process process;
    private final StringBuffer log = new StringBuffer();

    /** Starts {@code command} in {@code dir} and waits until its output contains {@code readyText}. */
    protected LoggedProcess(Path dir, List<String> command, String readyText) throws Exception {
        process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.append(line).append('\n');
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        awaitLog(readyText, Duration.ofSeconds(10));
    }

    /** A port that was free a moment ago on 127.0.0.1. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The running program, e.g. to signal it or read its exit code. */
    public Process process() {
        return process;
    }

    /** Everything the program printed so far. */
    public String log() {
        return log.toString();
    }

    /** Waits until the output contains {@code text}. */
    public void awaitLog(String text, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (!log.toString().contains(text)) {
            if (Instant.now().isAfter(end) || !process.isAlive()) {
                throw new AssertionError(String.join(" ", process.info().commandLine().orElse("the program"))
                        + " did not print '" + text + "':\n" + log);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
