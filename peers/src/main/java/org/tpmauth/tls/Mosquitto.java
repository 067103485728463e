package org.tpmauth.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A mosquitto broker on a free 127.0.0.1 port demanding a client certificate from {@code ca}, with the
 * certificate's CN as the user name; its log is kept for assertions.
 */
public final class Mosquitto extends LoggedProcess {
    public final int port;

    public Mosquitto(Path dir, Path ca, Path cert, Path key) throws Exception {
        this(dir, freePort(), ca, cert, key);
    }

    private Mosquitto(Path dir, int port, Path ca, Path cert, Path key) throws Exception {
        super(dir, List.of("mosquitto", "-c", config(dir, port, ca, cert, key).toString()),
                "Opening ipv4 listen socket on port " + port);
        this.port = port;
    }

    private static Path config(Path dir, int port, Path ca, Path cert, Path key) throws IOException {
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(conf, String.join("\n",
                "listener " + port + " 127.0.0.1",
                "cafile " + ca.toAbsolutePath(),
                "certfile " + cert.toAbsolutePath(),
                "keyfile " + key.toAbsolutePath(),
                "require_certificate true",
                "use_identity_as_username true",
                "allow_anonymous false",
                "persistence false",
                "user root",
                "log_dest stderr",
                "log_type all", ""));
        return conf;
    }

    /** Waits (10 s at most) until the broker logged {@code text}. */
    public void awaitLog(String text) throws InterruptedException {
        awaitLog(text, Duration.ofSeconds(10));
    }
}
