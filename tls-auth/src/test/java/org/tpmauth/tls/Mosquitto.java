package org.tpmauth.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A mosquitto broker on a free 127.0.0.1 port demanding a client certificate from the test CA, with the
 * certificate's CN as the user name; its log is kept for assertions.
 */
final class Mosquitto implements AutoCloseable {
    final int port;
    private final Process process;
    private final StringBuffer log = new StringBuffer();

    Mosquitto(Path dir, Path ca, Path cert, Path key) throws Exception {
        port = OpensslServer.freePort();
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(conf, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "cafile " + ca,
                "certfile " + cert,
                "keyfile " + key,
                "require_certificate true",
                "use_identity_as_username true",
                "allow_anonymous false",
                "persistence false",
                "user root",
                "log_dest stderr",
                "log_type all", ""));
        process = new ProcessBuilder("mosquitto", "-c", conf.toString()).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.append(line).append('\n');
                }
            } catch (IOException e) {
                // ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        awaitLog("Opening ipv4 listen socket on port " + port, Duration.ofSeconds(10));
    }

    String log() {
        return log.toString();
    }

    /** Waits until the log contains {@code text}. */
    void awaitLog(String text, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (!log.toString().contains(text)) {
            if (Instant.now().isAfter(end) || !process.isAlive()) {
                throw new AssertionError("mosquitto did not log '" + text + "':\n" + log);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
