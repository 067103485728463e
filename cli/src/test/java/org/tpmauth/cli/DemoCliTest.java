package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.keys.Tss2KeyFile;

/**
 * tpmauth demo on its default TPM, the in-process libtpms engine (one per process: the runs here
 * are sequential and each closes it), its files checked with plain openssl.
 */
class DemoCliTest {
    private static final List<String> FILES = List.of("machine-key.pem", "machine.csr", "machine.crt", "ca.crt",
            "message.txt", "message.sig");

    @TempDir
    Path dir;

    @Test
    void demoPassesEveryStepAndWritesFilesOpensslAccepts() throws IOException {
        Path out = dir.resolve("out");
        Cli.Result r = Cli.tpmauth("demo", "--out", out.toString()).ok();
        List<String> lines = r.outLines();
        assertTrue(lines.get(0).startsWith("tpmauth demo: ") && lines.get(0).contains("libtpms:"), r::toString);
        assertTrue(lines.contains("Result: 6 of 6 steps passed."), r::toString);
        for (int step = 1; step <= 6; step++) {
            String prefix = "[" + step + "] ";
            int at = lines.stream().filter(l -> l.startsWith(prefix)).findFirst().map(lines::indexOf).orElse(-1);
            assertTrue(at > 0, () -> "step " + prefix + "shown: " + r);
            // a step may print details (the PCR values) before its verdict
            String verdict = lines.subList(at + 1, lines.size()).stream().map(String::strip)
                    .filter(l -> l.startsWith("PASS") || l.startsWith("FAIL")).findFirst().orElse("none");
            assertTrue(verdict.startsWith("PASS"), () -> "step " + prefix + "passed: " + r);
        }
        assertFalse(r.out().contains("FAIL"), r::toString);

        for (String name : FILES) {
            assertTrue(Files.size(out.resolve(name)) > 0, name + " written");
        }
        Tss2KeyFile.read(out.resolve("machine-key.pem")); // a TSS2 key file, readable by the codec
        assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"),
                Files.getPosixFilePermissions(out.resolve("machine-key.pem")), "the key file is for its owner only");

        Cli.Result verify = Cli.tool(out, "openssl", "verify", "-CAfile", "ca.crt", "machine.crt").succeeded();
        assertEquals("machine.crt: OK", verify.out().strip());
        Cli.tool(out, "openssl", "req", "-in", "machine.csr", "-noout", "-verify").succeeded();

        Path pub = out.resolve("machine-pub.pem");
        Files.writeString(pub, Cli.tool(out, "openssl", "x509", "-in", "machine.crt", "-pubkey", "-noout")
                .succeeded().out());
        Cli.Result dgst = Cli.tool(out, "openssl", "dgst", "-sha256", "-verify", pub.toString(),
                "-signature", "message.sig", "message.txt");
        assertEquals("Verified OK", dgst.out().strip(), dgst::toString);

        // the certificate carries the CSR's key, which is the TPM key's
        String csrKey = Cli.tool(out, "openssl", "req", "-in", "machine.csr", "-pubkey", "-noout").succeeded().out();
        assertEquals(Files.readString(pub), csrKey);

        // the commands the demo tells the user to run work as printed
        assertTrue(r.out().contains("openssl verify -CAfile " + out.resolve("ca.crt") + " " + out.resolve("machine.crt")),
                r::toString);
    }

    @Test
    void stateDirectoryKeepsTheTpmBetweenRuns() throws IOException {
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        Cli.Result first = Cli.tpmauth("demo", "--state", state.toString(), "--out", dir.resolve("one").toString()).ok();
        assertTrue(first.out().contains("(TPM: libtpms:" + state + ")"), first::toString);
        try (Stream<Path> files = Files.list(state)) {
            assertTrue(files.findAny().isPresent(), "the TPM's state is kept in --state");
        }
        Cli.Result second = Cli.tpmauth("demo", "--state", state.toString(), "--out", dir.resolve("two").toString()).ok();
        assertTrue(second.out().contains("Result: 6 of 6 steps passed."), second::toString);
        // the same TPM (same seeds) under the same storage primary: the first run's key loads in the second TPM run
        Cli.Result pub = Cli.tpmauthOn("libtpms:" + state, "key", "public", "--key",
                dir.resolve("one").resolve("machine-key.pem").toString()).ok();
        assertTrue(pub.out().startsWith("-----BEGIN PUBLIC KEY-----"), pub::toString);
    }

    @Test
    void jsonPutsTheReportOnStdoutAndTheStepsOnStderr() throws IOException {
        Cli.Result r = Cli.tpmauth("demo", "--json", "--out", dir.resolve("json").toString());
        assertEquals(0, r.code(), r::toString);
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertTrue(report.get("passed").asBoolean(), r::toString);
        assertEquals(6, report.get("steps").size(), r::toString);
        report.get("steps").forEach(step -> assertTrue(step.get("passed").asBoolean(), step::toString));
        assertTrue(r.err().contains("[6] ") && r.err().contains("Result: 6 of 6 steps passed."), r::toString);
    }

    @Test
    void networkDemoOptionsAreItsOwn() {
        String error = Cli.tpmauth("demo", "--network", "--state", dir.toString()).fails();
        assertTrue(error.contains("--state and --out are for the embedded demo"), error);
    }

    @Test
    void stateWithAnotherTctiIsRefused() {
        String error = Cli.tpmauth("--tcti", "swtpm:host=127.0.0.1,port=2321", "demo", "--state",
                dir.toString()).fails();
        assertTrue(error.contains("--state") && error.contains("--tcti"), error);
    }
}
