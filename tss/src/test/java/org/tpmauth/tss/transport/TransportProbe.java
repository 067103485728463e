package org.tpmauth.tss.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM that opens a transport and reports what happened: for checks that need another process
 * (a lock held across processes, a process without root's file access). Prints "OPENED" and exits 0,
 * or prints the TpmTransportException message and exits 3.
 */
public final class TransportProbe {
    private TransportProbe() {
    }

    public static void main(String[] args) {
        try {
            Path path = Path.of(args[1]);
            switch (args[0]) {
                case "libtpms" -> LibtpmsTcti.open(path).close();
                case "device" -> new DeviceTcti(path).close();
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("OPENED");
            System.exit(0);
        } catch (TpmTransportException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }

    record Result(int exitCode, String output) {
    }

    /** Runs the probe in a new JVM with this JVM's classpath, behind {@code wrapper} (e.g. setpriv ...). */
    static Result run(List<String> wrapper, String transport, Path path) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(wrapper);
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        command.addAll(List.of(java, "-cp", System.getProperty("java.class.path"), TransportProbe.class.getName(),
                transport, path.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("probe did not finish: " + command);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    }
}
