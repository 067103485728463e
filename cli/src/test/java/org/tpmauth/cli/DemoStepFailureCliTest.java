package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.transport.LibtpmsTcti;

/**
 * tpmauth demo when a step of the story does not behave as it says: the exit code is 1 and that step is marked
 * failed, in the JSON report and in the closing table. The failure is a real one: the demo runs in a process whose
 * in-process TPM (libtpms, one per process) is already taken, so the first machine cannot power its TPM on.
 */
class DemoStepFailureCliTest {
    @TempDir
    Path dir;

    @Test
    void aFailingStepMakesTheDemoExit1WithThatStepMarkedFailed() throws Exception {
        Path state = dir.resolve("state");
        try (LibtpmsTcti taken = LibtpmsTcti.open(Files.createDirectory(dir.resolve("another-tpm")))) {
            Cli.Result json = Cli.tpmauth("demo", "--json", "--state", state.toString());
            assertEquals(1, json.code(), json::toString);
            JsonNode report = new ObjectMapper().readTree(json.out());
            assertFalse(report.get("passed").asBoolean(), json::toString);
            JsonNode steps = report.get("steps");
            assertEquals(1, steps.size(), "the story stops at the failed step: " + steps);
            JsonNode first = steps.get(0);
            assertFalse(first.get("passed").asBoolean(), first::toString);
            assertTrue(first.get("title").asText().contains("EK created"), first::toString);
            assertTrue(first.get("detail").asText().contains("already open in this process"), first::toString);
            assertTrue(json.err().lines().anyMatch(l -> l.strip().startsWith("FAIL")), json::toString);

            // the demo left the TPM it did not open alone: a second run fails the same way, now with the table
            Cli.Result table = Cli.tpmauth("demo");
            assertEquals(1, table.code(), table::toString);
            assertTrue(table.out().lines().anyMatch(l -> l.contains("FAIL") && l.contains("machine-a")), table::toString);
            assertTrue(table.out().contains("Result: 0 of " + org.tpmauth.demo.StoryDemo.STEPS + " steps behaved as "
                    + "the story says"), table::toString);
        }
        assertTrue(Files.isDirectory(state), "--state is kept");
    }
}
