package org.tpmauth.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code openssl s_server -www} on a free 127.0.0.1 port, demanding a client certificate from a CA. */
final class OpensslServer implements AutoCloseable {
    final int port;
    private final Process process;
    private final StringBuffer output = new StringBuffer();

    /**
     * @param extra more s_server options, e.g. "-tls1_2", "-client_sigalgs", "RSA+SHA256"
     */
    OpensslServer(Path cert, Path key, Path ca, String... extra) throws Exception {
        port = freePort();
        List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", cert.toString(), "-key", key.toString(), "-CAfile", ca.toString(), "-Verify", "1",
                "-verify_return_error", "-www"));
        command.addAll(List.of(extra));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.append(line).append('\n');
                    if (line.startsWith("ACCEPT")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            ready.completeExceptionally(new IOException("openssl s_server ended: " + output));
        });
        reader.setDaemon(true);
        reader.start();
        ready.get(10, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String output() {
        return output.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
