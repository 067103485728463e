package org.tpmauth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tpmauth.demo.CoreDemo;
import org.tpmauth.demo.network.NetworkDemo;
import org.tpmauth.demo.network.Requirements;
import org.tpmauth.tss.Tpm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth demo}: the story, on the embedded TPM unless --tcti names another. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Show what tpmauth does, step by step, on an in-process TPM (libtpms): a machine key born "
            + "in the TPM, a CSR signed inside it, a certificate from a throwaway CA, a signature checked against "
            + "that certificate, and the PCRs. Needs no root and no daemons.",
            "With --network (as root): the same machine key on real programs in network namespaces for a device, a "
            + "switch and a server: 802.1X (wpa_supplicant, hostapd driver=wired, FreeRADIUS) through the PKCS#11 "
            + "token, OpenVPN through the management interface, strongSwan, a sealed WireGuard key with "
            + "wireguard-go, MQTT to mosquitto; a foreign key refused and a PCR change keeping the WireGuard key "
            + "sealed. Every program and namespace is removed at the end, also on Ctrl-C."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--state", paramLabel = "DIR",
            description = "Keep the embedded TPM's state in DIR (default: a fresh temporary directory).")
    Path state;

    @Option(names = "--out", paramLabel = "DIR", description = "Write the key, CSR and certificates here "
            + "(default: a temporary directory).")
    Path out;

    @Option(names = "--network", description = "Run the story on real programs in network namespaces (needs root "
            + "and the peer programs: " + Requirements.INSTALL + ").")
    boolean network;

    @Option(names = "--json", description = "Print a machine-readable report on stdout (the step lines go to stderr).")
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
        Path outDir = out != null ? out : Files.createTempDirectory("tpmauth-demo-");
        String tcti = main.tcti;
        if (tcti == null) {
            Path dir = state != null ? state : Files.createTempDirectory("tpmauth-demo-tpm-");
            tcti = "libtpms:" + dir;
        } else if (state != null) {
            throw new IllegalArgumentException("--state is for the embedded TPM; it cannot be combined with --tcti");
        }
        progress.println("tpmauth demo: TPM 2.0 machine identity, step by step (TPM: " + tcti + ")");
        List<CoreDemo.Step> steps;
        try (Tpm tpm = Tpm.open(tcti)) {
            steps = new CoreDemo(tpm, outDir, progress).run();
        }
        boolean passed = steps.stream().allMatch(CoreDemo.Step::passed);
        if (json) {
            printJson(main, Map.of("passed", passed, "tpm", tcti, "steps", steps));
        }
        return passed ? 0 : 1;
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
            printJson(main, report);
        }
        return report.passed() ? 0 : 1;
    }

    private static void printJson(Main main, Object report) throws Exception {
        main.stdout.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        main.stdout.flush();
    }
}
