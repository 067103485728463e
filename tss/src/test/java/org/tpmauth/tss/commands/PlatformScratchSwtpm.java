package org.tpmauth.tss.commands;

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
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.transport.TpmTransportException;

/**
 * Test-only: a swtpm process of our own on a free port in 25000-25999, a minimal TCTI over its raw
 * TCP data channel, and a way to run tpm2-tools against it. Each command opens its own connection,
 * because swtpm serves one client at a time and tpm2-tools must be able to get in between.
 */
final class PlatformScratchSwtpm implements Tcti {
    private static final String HOST = "127.0.0.1";
    private final Process process;
    private final Path dir;
    private final int port;

    private PlatformScratchSwtpm(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** A powered-on TPM that already ran Startup(CLEAR). */
    static PlatformScratchSwtpm start() {
        return start("not-need-init,startup-clear");
    }

    /** A TPM started with the given swtpm --flags ("not-need-init" alone leaves Startup to the test). */
    static PlatformScratchSwtpm start(String flags) {
        try {
            Path dir = Files.createTempDirectory("scratch-swtpm");
            for (int attempt = 0; attempt < 20; attempt++) {
                int port = 25000 + 2 * ThreadLocalRandom.current().nextInt(500);
                if (!free(port) || !free(port + 1)) {
                    continue;
                }
                Process p = new ProcessBuilder("swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + dir,
                        "--server", "type=tcp,port=" + port + ",bindaddr=" + HOST,
                        "--ctrl", "type=tcp,port=" + (port + 1) + ",bindaddr=" + HOST, "--flags", flags)
                        .redirectErrorStream(true).redirectOutput(dir.resolve("swtpm.log").toFile()).start();
                if (waitForListening(p, port + 1)) {
                    return new PlatformScratchSwtpm(p, dir, port);
                }
                p.destroyForcibly().waitFor();
            }
            throw new IllegalStateException("could not start swtpm on a free port in 25000-25999");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean free(int port) {
        try {
            new ServerSocket(port, 1, InetAddress.getByName(HOST)).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // probe the control channel, so that the data channel's single client slot stays untouched
    private static boolean waitForListening(Process p, int ctrlPort) throws InterruptedException {
        for (int i = 0; i < 100 && p.isAlive(); i++) {
            try {
                new Socket(HOST, ctrlPort).close();
                return true;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        return false;
    }

    /** The facade over this TPM. */
    Tpm tpm() {
        return new Tpm(this);
    }

    /** The TCTI string for tpm2-tools. */
    String tctiConfig() {
        return "swtpm:host=" + HOST + ",port=" + port;
    }

    Path dir() {
        return dir;
    }

    /** Runs a tpm2-tools (or swtpm_ioctl) command against this TPM and returns its standard output. */
    String run(String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
            pb.environment().put("TPM2TOOLS_TCTI", tctiConfig());
            Path err = Files.createTempFile(dir, "stderr", ".txt");
            Process p = pb.redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out + Files.readString(err));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Power-cycles the TPM through the control channel (TPM_Init); Startup comes next. */
    void powerCycle() {
        run("swtpm_ioctl", "--tcp", HOST + ":" + (port + 1), "-i");
    }

    @Override
    public byte[] transmit(byte[] command) {
        try (Socket s = new Socket(HOST, port)) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(command);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] header = in.readNBytes(10);
            if (header.length < 10) {
                throw new TpmTransportException("swtpm closed the connection inside a response header");
            }
            int size = ((header[2] & 0xff) << 24) | ((header[3] & 0xff) << 16) | ((header[4] & 0xff) << 8)
                    | (header[5] & 0xff);
            if (size < 10 || size > 1 << 16) {
                throw new TpmTransportException("implausible response size " + size);
            }
            byte[] response = new byte[size];
            System.arraycopy(header, 0, response, 0, 10);
            if (in.readNBytes(response, 10, size - 10) != size - 10) {
                throw new TpmTransportException("swtpm closed the connection inside a response");
            }
            return response;
        } catch (IOException e) {
            throw new TpmTransportException("swtpm at port " + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return tctiConfig();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
                for (Path f : all) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
