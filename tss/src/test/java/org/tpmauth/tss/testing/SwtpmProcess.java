package org.tpmauth.tss.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.tpmauth.tss.transport.SwtpmTcti;

/**
 * One swtpm process on 127.0.0.1 (data port P, control port P + 1), or on UNIX sockets in its temporary
 * directory (data socket S, control socket S.ctrl), with its own temporary state directory, started
 * with --flags not-need-init,startup-clear so it is ready for commands. Processes still running when
 * the JVM exits are killed by a shutdown hook.
 */
final class SwtpmProcess {
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final long START_TIMEOUT_MS = 10_000;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "swtpm cleanup"));
    }

    private final Path root;
    private final Path stateDir;
    private final Path workDir;
    private final Path log;
    /** The data socket when swtpm serves UNIX sockets, else null (TCP). */
    private final Path socket;
    private int port;
    private Process process;

    private SwtpmProcess(Path root, boolean unixSockets) {
        this.root = root;
        this.socket = unixSockets ? root.resolve("tpm.sock") : null;
        this.stateDir = root.resolve("state");
        this.workDir = root.resolve("work");
        this.log = root.resolve("swtpm.log");
    }

    /** Starts swtpm on free ports, or on UNIX sockets, with a fresh state directory. */
    static SwtpmProcess start(boolean unixSockets) {
        SwtpmProcess swtpm;
        try {
            Path root = Files.createTempDirectory("swtpm-test-");
            swtpm = new SwtpmProcess(root, unixSockets);
            Files.createDirectories(swtpm.stateDir);
            Files.createDirectories(swtpm.workDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary directory for swtpm", e);
        }
        // another process may take the ports between the check and swtpm's bind: then try others
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            swtpm.port = unixSockets ? 0 : freePortPair();
            try {
                swtpm.launch();
                return swtpm;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        swtpm.deleteFiles();
        throw last;
    }

    int port() {
        if (socket != null) {
            throw new IllegalStateException("this swtpm serves UNIX sockets: use socket()");
        }
        return port;
    }

    /** The data socket of a swtpm on UNIX sockets (the control socket is beside it, ".ctrl" appended). */
    Path socket() {
        if (socket == null) {
            throw new IllegalStateException("this swtpm serves TCP: use port()");
        }
        return socket;
    }

    Path stateDir() {
        return stateDir;
    }

    Path workDir() {
        return workDir;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, then waits until the process is gone. */
    void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(process);
            RUNNING.remove(process);
        }
    }

    /** Kills swtpm if running and starts it again on the same ports with the same state. */
    void restart() {
        kill();
        // the old process's connections may hold the port briefly
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (true) {
            try {
                launch();
                return;
            } catch (IllegalStateException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                sleep(100);
            }
        }
    }

    /** SIGTERM (swtpm saves and exits), SIGKILL if that takes too long, then the files are deleted. */
    void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    waitFor(process);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            RUNNING.remove(process);
        }
        deleteFiles();
    }

    private void launch() {
        List<String> command = List.of("swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + stateDir,
                "--server", socket != null ? "type=unixio,path=" + socket : "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
                "--ctrl", socket != null ? "type=unixio,path=" + SwtpmTcti.controlSocket(socket)
                        : "type=tcp,port=" + (port + 1) + ",bindaddr=127.0.0.1",
                "--flags", "not-need-init,startup-clear");
        try {
            Files.deleteIfExists(log);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new AssertionError("swtpm is not installed (" + e.getMessage() + "): apt-get install swtpm "
                    + "swtpm-tools", e);
        }
        RUNNING.add(process);
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (!listening()) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                process.destroyForcibly();
                waitFor(process);
                RUNNING.remove(process);
                throw new IllegalStateException("swtpm did not start on " + (socket != null ? socket : "127.0.0.1:" + port)
                        + ": " + String.join(" ",
                        command) + "\n" + readLog());
            }
            sleep(10);
        }
    }

    private String readLog() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private boolean listening() {
        return socket != null ? accepts(socket) && accepts(SwtpmTcti.controlSocket(socket))
                : accepts(port) && accepts(port + 1);
    }

    private static boolean accepts(Path socket) {
        try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port P from the system's ephemeral range such that P + 1 is free as well. */
    private static int freePortPair() {
        for (int i = 0; i < 100; i++) {
            try (ServerSocket data = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = data.getLocalPort();
                if (p < 65534 && isFree(p + 1)) {
                    return p;
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot find a free port on 127.0.0.1", e);
            }
        }
        throw new IllegalStateException("no two adjacent free ports on 127.0.0.1");
    }

    private static boolean isFree(int port) {
        try {
            new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close();
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static void waitFor(Process p) {
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for swtpm", e);
        }
    }

    private void deleteFiles() {
        deleteTree(root);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary files; leftovers are harmless
        }
    }
}
