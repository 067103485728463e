package org.tpmauth.vpn.openconnect;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.tpmauth.tss.transport.TctiConfig;

/**
 * Makes a TPM reachable for openconnect, which has no TCTI option: tpm2-tss inside it tries the access
 * broker (tabrmd) on the D-Bus system bus, then /dev/tpmrm0, /dev/tpm0, then a simulator on
 * localhost:2321. So:
 * <ul>
 * <li>{@code device:/dev/tpmrm0} or {@code device:/dev/tpm0}: nothing to do, openconnect finds it;</li>
 * <li>{@code swtpm:...} or {@code mssim:...}: a private D-Bus daemon with tpm2-abrmd on it, connected
 *     to that TPM, and {@code DBUS_SYSTEM_BUS_ADDRESS} pointing openconnect at it (no system-wide
 *     change, and no risk of reaching another TPM on localhost:2321);</li>
 * <li>{@code libtpms:...} lives inside the JVM, out of openconnect's reach: refused.</li>
 * </ul>
 * {@link #close()} stops what was started.
 */
public final class OpenConnectTpm implements AutoCloseable {
    private static final long START_SECONDS = 20;
    private final Map<String, String> environment;
    private final List<Process> started;

    private OpenConnectTpm(Map<String, String> environment, List<Process> started) {
        this.environment = environment;
        this.started = started;
    }

    /** The environment variables openconnect needs to find the TPM. */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * Prepares access to {@code tcti} for openconnect.
     *
     * @param runDir a private directory for the D-Bus socket and configuration
     */
    public static OpenConnectTpm forTcti(TctiConfig tcti, Path runDir) throws IOException {
        requireReachable(tcti);
        if (tcti instanceof TctiConfig.Device) {
            return new OpenConnectTpm(Map.of(), List.of());
        }
        return privateBroker(tcti.toString(), runDir);
    }

    /**
     * Refuses a TPM openconnect cannot be made to reach: a device other than /dev/tpmrm0 and /dev/tpm0, and
     * the in-process libtpms.
     */
    public static void requireReachable(TctiConfig tcti) {
        if (tcti instanceof TctiConfig.Device device) {
            String path = device.path().toString();
            if (!path.equals("/dev/tpmrm0") && !path.equals("/dev/tpm0")) {
                throw new IllegalArgumentException("openconnect finds only /dev/tpmrm0 and /dev/tpm0, not " + path);
            }
        } else if (tcti instanceof TctiConfig.Libtpms) {
            throw new IllegalArgumentException("openconnect cannot reach tpmauth's in-process TPM (" + tcti + "); use a "
                    + "TPM device, or swtpm / mssim (--tcti swtpm:host=127.0.0.1,port=2321)");
        }
    }

    /** dbus-daemon on a socket in runDir, then tpm2-abrmd owning com.intel.tss2.Tabrmd on it. */
    private static OpenConnectTpm privateBroker(String tcti, Path runDir) throws IOException {
        Path socket = runDir.resolve("system_bus_socket");
        Path config = Files.writeString(runDir.resolve("bus.conf"), String.join("\n",
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"",
                " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">",
                "<busconfig>",
                "  <type>system</type>",
                "  <listen>unix:path=" + socket + "</listen>",
                "  <auth>EXTERNAL</auth>",
                "  <policy context=\"default\">",
                "    <allow user=\"*\"/>",
                "    <allow own=\"*\"/>",
                "    <allow send_destination=\"*\"/>",
                "    <allow receive_sender=\"*\"/>",
                "  </policy>",
                "</busconfig>", ""));
        String address = "unix:path=" + socket;
        List<Process> started = new ArrayList<>();
        try {
            started.add(startAndAwait(new ProcessBuilder("dbus-daemon", "--config-file=" + config, "--nofork",
                    "--print-address"), "unix:path="));
            ProcessBuilder abrmd = new ProcessBuilder("tpm2-abrmd", "--allow-root", "--tcti=" + tcti);
            abrmd.environment().put("DBUS_SYSTEM_BUS_ADDRESS", address);
            abrmd.environment().put("G_MESSAGES_DEBUG", "all"); // for its "on_name_acquired" line
            started.add(startAndAwait(abrmd, "on_name_acquired"));
        } catch (IOException | RuntimeException e) {
            started.forEach(OpenConnectTpm::stop);
            throw e;
        }
        return new OpenConnectTpm(Map.of("DBUS_SYSTEM_BUS_ADDRESS", address), started);
    }

    /** Starts a program and waits for a line containing {@code ready}; its output is drained after that. */
    private static Process startAndAwait(ProcessBuilder builder, String ready) throws IOException {
        String name = builder.command().get(0);
        Process process;
        try {
            process = builder.redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot start " + name + " (install it: apt-get install "
                    + (name.equals("dbus-daemon") ? "dbus-daemon" : "tpm2-abrmd") + ")", e);
        }
        CompletableFuture<Boolean> seen = new CompletableFuture<>();
        StringBuffer output = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!seen.isDone()) {
                        output.append(line).append('\n');
                        if (line.contains(ready)) {
                            seen.complete(true);
                        }
                    }
                }
            } catch (IOException e) {
                // the program ended
            }
            seen.complete(false);
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (seen.get(START_SECONDS, TimeUnit.SECONDS)) {
                return process;
            }
        } catch (TimeoutException | ExecutionException e) {
            // reported below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop(process);
        throw new IOException(name + " did not start:\n" + tail(output.toString()));
    }

    private static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops tpm2-abrmd and the D-Bus daemon, in that order. */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            stop(started.get(i));
        }
    }
}
