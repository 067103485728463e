package org.tpmauth.tss;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether an outside program the tests can use (swtpm, tpm2-tools) is installed. */
final class Programs {
    private Programs() {
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
