package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.demo.network.Requirements;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.testing.NetNamespace;

/**
 * {@code tpmauth demo --network} as a real process (its own JVM, so its libtpms TPM is its own): every step
 * behaves as the story says (checked in the --json report, not in the text), and SIGINT in the middle of the run
 * leaves no program, namespace or temporary file behind. The one end-to-end test of all the adapters together.
 */
class NetworkDemoCliTest {
    private static final List<String> STEPS = List.of("network", "enrollment", "802.1X", "802.1X foreign key",
            "OpenVPN", "strongSwan", "WireGuard", "MQTT", "PCR changed", "cleanup");

    @TempDir
    Path dir;

    @BeforeAll
    static void available() {
        assumeTrue(Requirements.isRoot(), "network namespaces need root");
        assumeTrue(Requirements.missing().isEmpty(), () -> "missing: " + Requirements.missing());
    }

    @Test
    void everyStepBehavesAsTheStorySays() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        try (LoggedProcess demo = demo(tmp, "--json")) {
            assertTrue(demo.process().waitFor(110, TimeUnit.SECONDS), () -> "still running:\n" + demo.log());
            String output = demo.log();
            assertEquals(0, demo.process().exitValue(), output);
            JsonNode report = new ObjectMapper().readTree(output.substring(output.indexOf("\n{") + 1));
            assertTrue(report.get("passed").asBoolean(), output);
            List<String> names = new ArrayList<>();
            report.get("steps").forEach(step -> {
                names.add(step.get("name").asText());
                assertTrue(step.get("passed").asBoolean(), step::toString);
            });
            assertEquals(STEPS, names);
            assertEquals(0, report.get("cleanupFailures").size(), output);
            // the TPM signed where the story says: enrollment's TPM2_Certify and quote and the foreign key's CSR,
            // one EAP-TLS handshake per port attempt, one PK_SIGN for OpenVPN, one IKE_AUTH, one TLS handshake to
            // the broker; unsealing is no signature
            assertEquals(List.of(0, 3, 1, 1, 1, 1, 0, 1, 0, 0), signatures(report));
            assertTrue(detail(report, "enrollment").contains("credential activated")
                    && detail(report, "enrollment").contains("CN=tpm-"), output);
            assertTrue(detail(report, "802.1X").contains("Login OK: [device-"), output);
            assertTrue(detail(report, "802.1X foreign key").contains("unable to get local issuer certificate"), output);
            assertTrue(detail(report, "OpenVPN").contains("1 PK_SIGN answered by the TPM"), output);
            assertTrue(detail(report, "MQTT").contains("published and received 'online'"), output);
            assertTrue(detail(report, "PCR changed").contains("stays sealed")
                    && detail(report, "PCR changed").contains("PolicyPCR(sha256:[16])"), output);
        }
        assertNothingLeft(tmp);
    }

    @Test
    void ctrlCInTheMiddleLeavesNothingBehind() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        try (LoggedProcess demo = demo(tmp)) {
            // by the OpenVPN step FreeRADIUS, hostapd, the token and the namespaces exist
            demo.awaitLog("[5] OpenVPN", Duration.ofSeconds(90));
            ProcessHandle jvm = demo.process().toHandle();
            List<ProcessHandle> programs = jvm.descendants().toList();
            String ours = "-" + Long.toHexString(jvm.pid()) + "-";
            List<String> namespaces = namespaces(ours);
            assertTrue(programs.size() >= 2 && namespaces.size() == 3, () -> programs + " " + namespaces + "\n"
                    + demo.log());
            NetNamespace.run("kill", "-INT", String.valueOf(jvm.pid()));
            assertTrue(demo.process().waitFor(30, TimeUnit.SECONDS),
                    () -> "still running after SIGINT:\n" + demo.log());
            assertEquals(130, demo.process().exitValue(), demo.log()); // the JVM's status after SIGINT
            List<ProcessHandle> alive = programs.stream().filter(ProcessHandle::isAlive).toList();
            assertTrue(alive.isEmpty(), () -> "still running: " + alive.stream().map(p -> p.pid() + " "
                    + p.info().commandLine().orElse("?")).toList());
            assertEquals(List.of(), namespaces(ours));
            assertTrue(!demo.log().contains("cleanup: could not undo"), demo.log());
        }
        assertNothingLeft(tmp);
    }

    /** Starts {@code tpmauth demo --network ARGS} in a JVM of its own whose temporary files go to {@code tmp}. */
    private LoggedProcess demo(Path tmp, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Djava.io.tmpdir=" + tmp, "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "demo", "--network"));
        command.addAll(List.of(args));
        return new LoggedProcess(command, dir.resolve("demo-" + System.nanoTime() + ".log"));
    }

    private static List<String> namespaces(String marker) throws IOException {
        return NetNamespace.run("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).filter(n -> n.contains(marker))
                .toList();
    }

    private static void assertNothingLeft(Path tmp) throws IOException {
        try (Stream<Path> left = Files.list(tmp)) {
            List<Path> files = left.toList();
            assertTrue(files.isEmpty(), () -> "left in the temporary folder: " + files);
        }
    }

    private static List<Integer> signatures(JsonNode report) {
        List<Integer> counts = new ArrayList<>();
        report.get("steps").forEach(step -> counts.add(step.get("tpmSignatures").asInt()));
        return counts;
    }

    private static String detail(JsonNode report, String name) {
        for (JsonNode step : report.get("steps")) {
            if (step.get("name").asText().equals(name)) {
                return step.get("detail").asText();
            }
        }
        throw new AssertionError("no step " + name + " in " + report);
    }
}
