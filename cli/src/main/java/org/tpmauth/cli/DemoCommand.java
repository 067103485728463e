package org.tpmauth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.demo.DemoReport;
import org.tpmauth.demo.StoryDemo;
import org.tpmauth.demo.TempFolder;
import org.tpmauth.demo.network.NetworkDemo;
import org.tpmauth.demo.network.Requirements;
import org.tpmauth.tss.transport.LibtpmsTcti;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth demo}: the whole story on two simulated machines, in this process. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Show what tpmauth is for, step by step, with nothing to set up: two simulated machines, each "
            + "with its own in-process TPM (libtpms), and a network in this process. A machine is born (EK "
            + "certificate, a real boot log replayed into its PCRs), enrolls with the attestation service (quote "
            + "and event log checked, credential activation, an 8-hour certificate for a TPM key), joins the "
            + "network (EAP-TLS, TLS with evidence bound to the connection, a WireGuard key sealed to its boot "
            + "state, a renewal over EST), then boots a different bootloader and each door closes "
            + "with its reason, while a healthy machine still gets in. Exit code 0 only when every step behaved "
            + "as the story says. Needs no root and no daemons.",
            "The demo extends PCRs and defines NV indexes, so it never runs on a real TPM: --tcti is refused.",
            "With --network (as root): the device enrolls with the attestation service (in the server's network "
            + "namespace) and uses the certificate it issued on real programs in network namespaces for a device, a "
            + "switch and a server: 802.1X (wpa_supplicant, hostapd driver=wired, FreeRADIUS) through the PKCS#11 "
            + "token, OpenVPN through the management interface, strongSwan, a sealed WireGuard key with "
            + "wireguard-go, MQTT to mosquitto; a foreign key refused and a PCR change keeping the WireGuard key "
            + "sealed. Every program and namespace is removed at the end, also on Ctrl-C."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--state", paramLabel = "DIR",
            description = "Keep the machines' TPM state and key files and the attestation service's records in DIR, "
                    + "a new or empty directory (default: a fresh temporary directory, removed at the end).")
    Path state;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write machine-a's files here: its TPM key file, "
            + "certificate, the network and manufacturer CA certificates, the sealed WireGuard key (check them with "
            + "openssl, e.g. openssl verify -CAfile DIR/network-ca.crt DIR/machine-a.crt).")
    Path out;

    @Option(names = "--network", description = "Run the story on real programs in network namespaces (needs root "
            + "and the peer programs: " + Requirements.INSTALL + ").")
    boolean network;

    @Option(names = "--json", description = "Print the report as JSON on stdout (progress goes to stderr).")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Main main = (Main) spec.root().userObject();
        PrintStream progress = json ? main.stderr : main.stdout;
        if (network) {
            return network(main, progress);
        }
        if (main.tcti != null) {
            throw new IllegalArgumentException("the demo replays a boot log into the PCRs and writes EK certificates "
                    + "to NV, so it runs only on its own in-process TPMs; drop --tcti (use --state DIR to keep them)");
        }
        if (state != null && Files.isDirectory(state)) {
            try (java.util.stream.Stream<Path> entries = Files.list(state)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--state " + state + " is not empty: the demo's machines start "
                            + "from the factory; give a new or empty directory");
                }
            }
        }
        Path dir = state != null ? Files.createDirectories(state) : Files.createTempDirectory("tpmauth-demo-");
        progress.println("tpmauth demo: two simulated machines with in-process TPMs (libtpms) and a network, in this "
                + "process; state in " + dir);
        StoryDemo demo = new StoryDemo(dir, out, progress);
        // Ctrl-C: power the running TPM off (its state saved, nothing open), then remove what the demo made
        Thread cleanup = new Thread(() -> stopAndClean(demo, dir, true), "tpmauth demo cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        DemoReport report;
        try {
            report = demo.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
                stopAndClean(demo, dir, false);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook does it
            }
        }
        if (json) {
            main.stdout.print(report.toJson(StoryDemo.STEPS));
        } else {
            report.printTable(main.stdout, StoryDemo.STEPS);
        }
        return report.passed() && report.steps().size() == StoryDemo.STEPS ? 0 : 1;
    }

    private int network(Main main, PrintStream progress) throws Exception {
        if (state != null || out != null) {
            throw new IllegalArgumentException("--state and --out are for the embedded demo, not --network");
        }
        if (!Requirements.isRoot()) {
            throw new IllegalStateException("the network demo creates network namespaces: run it as root "
                    + "(sudo ./tpmauth demo --network)");
        }
        List<String> missing = Requirements.missing();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the network demo needs " + String.join(", ", missing)
                    + "; install them with: " + Requirements.INSTALL);
        }
        NetworkDemo.Report report = NetworkDemo.run(main.tcti, progress);
        if (json) {
            main.stdout.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
            main.stdout.flush();
        }
        return report.passed() ? 0 : 1;
    }

    /**
     * Stops the demo and removes its temporary state. At exit (Ctrl-C) the process's libtpms is closed too, so the
     * state is saved and unlocked before it is removed; otherwise it is left alone, as the demo's machines close
     * their own TPMs and an in-process TPM the demo did not open is not the demo's to close.
     */
    private void stopAndClean(StoryDemo demo, Path dir, boolean atExit) {
        try {
            demo.stop();
        } catch (RuntimeException e) {
            // the TPM may be gone already (libtpms' own hook closes it); what matters is that it is closed
        } finally {
            if (atExit) {
                LibtpmsTcti.closeAtExit();
            }
            if (state == null) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try {
            new TempFolder(dir).close();
        } catch (java.io.IOException e) {
            System.err.println("tpmauth demo: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
