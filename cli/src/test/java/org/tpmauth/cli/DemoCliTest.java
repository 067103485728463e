package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tpmauth demo, the embedded story: every step's outcome from the JSON report (not its text), the kept
 * state, the refusal to touch a real TPM, and Ctrl-C in the middle leaving nothing behind.
 */
class DemoCliTest {
    private static final int STEPS = 18;

    @TempDir
    Path dir;

    @Test
    void everyStepBehavesAsTheStorySays() throws Exception {
        Cli.Result r = Cli.tpmauth("demo", "--json").succeeded(); // progress goes to stderr
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertTrue(report.get("passed").asBoolean(), r::toString);
        JsonNode steps = report.get("steps");
        assertEquals(STEPS, steps.size(), r::toString);
        for (JsonNode step : steps) {
            assertTrue(step.get("passed").asBoolean(), step::toString);
        }
        // the doors that close after the bootloader changed say why, naming the event and the policy
        assertTrue(find(steps, "Renewal refused").get("detail").asText().contains("EV_EFI_BOOT_SERVICES_APPLICATION"),
                steps::toString);
        assertTrue(find(steps, "TLS with bound evidence refused").get("detail").asText()
                .contains("EV_EFI_BOOT_SERVICES_APPLICATION"), steps::toString);
        assertTrue(find(steps, "stays sealed").get("detail").asText().contains("PolicyPCR"), steps::toString);
        String mqttRefused = find(steps, "MQTT connect refused").get("detail").asText();
        assertTrue(mqttRefused.contains("Not authorized (0x87)") && mqttRefused.contains("EV_EFI_BOOT_SERVICES_APPLICATION"),
                steps::toString);
        // an MQTT 5 connect with evidence costs the machine its TLS signature and a quote
        for (JsonNode step : steps) {
            if (step.get("title").asText().startsWith("MQTT")) {
                assertEquals(2, step.get("tpm_signatures").asInt(), step::toString);
            }
        }
        // enrollment costs the TPM a certification and a quote; a renewal adds the CSR and the TLS signature
        assertEquals(2, find(steps, "Enrollment").get("tpm_signatures").asInt(), steps::toString);
        assertEquals(4, find(steps, "Certificate renewed").get("tpm_signatures").asInt(), steps::toString);
        // an EAP-TLS authentication costs the machine one TPM signature (its CertificateVerify)
        for (JsonNode step : steps) {
            if (step.get("title").asText().contains("EAP-TLS")) {
                assertEquals(1, step.get("tpm_signatures").asInt(), step::toString);
            }
        }
        assertTrue(report.get("keys").size() >= 3, () -> "where each key lives is reported: " + report.get("keys"));
        assertTrue(report.get("seconds").asDouble() < 60, "the demo takes under a minute: " + report.get("seconds"));
    }

    @Test
    void theStateDirectoryKeepsBothMachinesAndTheFilesCheckWithOpenssl() {
        Path state = dir.resolve("state");
        Path out = dir.resolve("out");
        Cli.Result r = Cli.tpmauth("demo", "--state", state.toString(), "--out", out.toString()).ok();
        assertTrue(r.out().contains("Result: " + STEPS + " of " + STEPS + " steps behaved as the story says"), r::toString);
        assertTrue(Files.isDirectory(state.resolve("machine-a").resolve("tpm")), "machine-a's TPM state is kept");
        assertTrue(Files.isDirectory(state.resolve("machine-b").resolve("tpm")), "machine-b's TPM state is kept");
        Cli.Result verify = Cli.tool(out, "openssl", "verify", "-CAfile", "network-ca.crt", "machine-a.crt").succeeded();
        assertEquals("machine-a.crt: OK", verify.out().strip());
        // the certificate carries machine-a's TPM key, which still loads in machine-a's kept TPM
        Cli.Result pub = Cli.tpmauthOn("libtpms:" + state.resolve("machine-a").resolve("tpm"), "key", "public", "--key",
                out.resolve("machine-a-key.pem").toString()).ok();
        String certKey = Cli.tool(out, "openssl", "x509", "-in", "machine-a.crt", "-pubkey", "-noout").succeeded().out();
        assertEquals(certKey.strip(), pub.out().strip());
    }

    @Test
    void networkDemoOptionsAreItsOwn() {
        String error = Cli.tpmauth("demo", "--network", "--state", dir.toString()).fails();
        assertTrue(error.contains("--state and --out are for the embedded demo"), error);
    }

    @Test
    void aUsedStateDirectoryIsRefused() throws Exception {
        Files.writeString(dir.resolve("something"), "x");
        String error = Cli.tpmauth("demo", "--state", dir.toString()).fails();
        assertTrue(error.contains("not empty"), error);
    }

    @Test
    void aRealTpmIsNeverUsed() {
        String error = Cli.tpmauth("--tcti", "device:/dev/tpmrm0", "demo").fails();
        assertTrue(error.contains("--tcti") && error.contains("PCRs"), error);
    }

    @Test
    void ctrlCInTheMiddleLeavesNoTemporaryFiles() throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "org.tpmauth.cli.Main", "demo")
                .redirectErrorStream(true).start();
        Path state = null;
        List<String> seen = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            Pattern where = Pattern.compile("state in (\\S+)$");
            for (String line; (line = out.readLine()) != null; ) {
                seen.add(line);
                Matcher m = where.matcher(line);
                if (m.find()) {
                    state = Path.of(m.group(1));
                }
                if (line.startsWith("[4] ")) { // mid-story: machine-a's TPM is running
                    new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the demo ends on Ctrl-C");
        assertTrue(state != null, () -> "the demo names its state directory: " + seen);
        Path left = state;
        assertFalse(Files.exists(left), () -> "the temporary state " + left + " is removed: " + listing(left) + seen);
        assertTrue(seen.stream().noneMatch(l -> l.startsWith("[13]")), "the demo was interrupted, not finished");
    }

    private static List<String> listing(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            return files.map(Path::toString).toList();
        } catch (java.io.IOException e) {
            return List.of(e.toString());
        }
    }

    private static JsonNode find(JsonNode steps, String titlePart) {
        for (JsonNode step : steps) {
            if (step.get("title").asText().contains(titlePart)) {
                return step;
            }
        }
        throw new AssertionError("no step titled ..." + titlePart + "...: " + steps);
    }
}
