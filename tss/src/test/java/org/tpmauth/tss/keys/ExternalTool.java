package org.tpmauth.tss.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an outside program (openssl, tpm2-tools) in a directory with a bounded wait. Its output goes
 * to files, so a chatty program never blocks on a full pipe, and every failure message carries the
 * command line, exit code and stderr.
 */
final class ExternalTool {
    private static final long TIMEOUT_SECONDS = 60;

    private ExternalTool() {
    }

    /** What a finished program left. */
    record Result(List<String> command, int exitCode, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** Command, exit code and both outputs, for assertion messages. */
        String report() {
            return String.join(" ", command) + "\nexit code " + exitCode + "\nstdout:\n" + out() + "\nstderr:\n"
                    + stderr;
        }
    }

    /** Runs the program and fails the test unless it exits with 0. */
    static Result run(Path dir, Map<String, String> env, String... command) {
        Result r = attempt(dir, env, command);
        if (r.exitCode() != 0) {
            throw new AssertionError("outside program failed: " + r.report());
        }
        return r;
    }

    /** Runs the program and returns whatever it did; only a hang fails the test. */
    static Result attempt(Path dir, Map<String, String> env, String... command) {
        try {
            Path out = Files.createTempFile(dir, "stdout-", ".txt");
            Path err = Files.createTempFile(dir, "stderr-", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(env);
            Process p = builder.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS
                        + " s; stderr so far:\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
            Result r = new Result(List.of(command), p.exitValue(), Files.readAllBytes(out),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        }
    }
}
