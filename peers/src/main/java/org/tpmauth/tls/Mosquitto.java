package org.tpmauth.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.tpmauth.tls.testing.NetNamespace;

/**
 * A mosquitto broker on a free 127.0.0.1 port demanding a client certificate from {@code ca}, with the
 * certificate's CN as the user name; its log is kept for assertions.
 */
public final class Mosquitto extends LoggedProcess {
    public final int port;

    public Mosquitto(Path dir, Path ca, Path cert, Path key) throws Exception {
        this(dir, List.of(), "127.0.0.1", freePort(), ca, cert, key);
    }

    private Mosquitto(Path dir, List<String> prefix, String address, int port, Path ca, Path cert, Path key)
            throws Exception {
        super(dir, command(prefix, config(dir, address, port, ca, cert, key)),
                "Opening ipv4 listen socket on port " + port);
        this.port = port;
    }

    /** A broker in network namespace {@code netns} on {@code address}:{@code port}. */
    public static Mosquitto inNamespace(String netns, Path dir, String address, int port, Path ca, Path cert, Path key)
            throws Exception {
        return new Mosquitto(dir, NetNamespace.inNamespace(netns), address, port, ca, cert, key);
    }

    private static List<String> command(List<String> prefix, Path conf) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("mosquitto", "-c", conf.toString()));
        return command;
    }

    private static Path config(Path dir, String address, int port, Path ca, Path cert, Path key) throws IOException {
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(conf, String.join("\n",
                "listener " + port + " " + address,
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
