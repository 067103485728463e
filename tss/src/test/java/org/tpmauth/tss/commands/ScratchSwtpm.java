package org.tpmauth.tss.commands;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.transport.TpmTransportException;

/**
 * Test-only: a swtpm process of our own on a free port in 24000-24999, spoken to over its raw TCP
 * data channel (command bytes out, response bytes back, no framing). The connection is dropped
 * whenever tpm2-tools take a turn ({@link #tool}), since swtpm serves one client at a time.
 */
public final class ScratchSwtpm implements Tcti {
    private static final int FIRST_PORT = 24000;
    private static final int PORT_PAIRS = 500;

    private final Process process;
    private final Path dir;
    private final int port;
    private Socket socket;

    private ScratchSwtpm(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** Whether swtpm and tpm2-tools are installed, so tests can skip cleanly where they are not. */
    public static boolean installed() {
        return Stream.of("swtpm", "tpm2_readpublic").allMatch(cmd -> Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(p -> Files.isExecutable(Path.of(p, cmd))));
    }

    public static ScratchSwtpm start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("scratch-swtpm");
        for (int attempt = 0; attempt < 10; attempt++) {
            int port = FIRST_PORT + 2 * ThreadLocalRandom.current().nextInt(PORT_PAIRS);
            if (!free(port) || !free(port + 1)) {
                continue;
            }
            Process p = new ProcessBuilder("swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + dir,
                    "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                    "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                    "--flags", "not-need-init,startup-clear")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("swtpm.log").toFile()).start();
            ScratchSwtpm tpm = new ScratchSwtpm(p, dir, port);
            if (tpm.awaitListening()) {
                return tpm;
            }
            tpm.stopProcess();
        }
        throw new IOException("could not start swtpm; see " + dir.resolve("swtpm.log"));
    }

    private static boolean free(int port) {
        try {
            new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean awaitListening() throws InterruptedException {
        for (int i = 0; i < 100 && process.isAlive(); i++) {
            try {
                // probe the control channel: the data channel would take our one client slot
                new Socket(InetAddress.getLoopbackAddress(), port + 1).close();
                return true;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    /** The tpm2-tss TCTI string for this swtpm. */
    public String tctiConfig() {
        return "swtpm:host=127.0.0.1,port=" + port;
    }

    @Override
    public byte[] transmit(byte[] command) {
        try {
            if (socket == null) {
                socket = new Socket(InetAddress.getLoopbackAddress(), port);
            }
            OutputStream out = socket.getOutputStream();
            out.write(command);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] header = new byte[10];
            in.readFully(header);
            int size = ((header[2] & 0xff) << 24) | ((header[3] & 0xff) << 16) | ((header[4] & 0xff) << 8)
                    | (header[5] & 0xff);
            if (size < 10 || size > 1 << 16) {
                throw new TpmTransportException("swtpm sent a response size of " + size);
            }
            byte[] response = new byte[size];
            System.arraycopy(header, 0, response, 0, 10);
            in.readFully(response, 10, size - 10);
            return response;
        } catch (IOException e) {
            disconnect();
            throw new TpmTransportException("swtpm on port " + port + ": " + e.getMessage());
        }
    }

    /** Drops the data connection (the next command reconnects). */
    public void disconnect() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing left to release
            }
            socket = null;
        }
    }

    /**
     * Runs a tpm2-tools command against this swtpm (adding {@code -T}) in the state directory and
     * returns its standard output; fails on a non-zero exit.
     */
    public String tool(String... command) throws IOException, InterruptedException {
        disconnect();
        List<String> args = new ArrayList<>(List.of(command));
        args.add("-T");
        args.add(tctiConfig());
        Process p = new ProcessBuilder(args).directory(dir.toFile()).redirectError(dir.resolve("tool.err").toFile())
                .start();
        String out;
        try (InputStream stdout = p.getInputStream()) {
            out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + Files.readString(dir.resolve("tool.err")));
        }
        return out;
    }

    /** A file in the state directory (where tools write their outputs). */
    public Path file(String name) {
        return dir.resolve(name);
    }

    @Override
    public String describe() {
        return tctiConfig();
    }

    @Override
    public void close() {
        disconnect();
        stopProcess();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stopProcess() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
