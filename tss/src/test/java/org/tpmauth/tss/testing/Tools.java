package org.tpmauth.tss.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs tpm2-tools (and other outside programs) against a test's swtpm, to cross-check the Java
 * stack with the reference tools.
 */
public final class Tools {
    private static final long TIMEOUT_SECONDS = 60;

    private Tools() {
    }

    /**
     * Runs a tpm2-tools command against {@code swtpm} and returns its standard output. Releases the
     * extension's data connections first (swtpm serves one at a time), points the tool at swtpm with
     * TPM2TOOLS_TCTI, and runs it in {@link SwtpmExtension#workDir()}, so relative file names of the
     * tools land there. Fails, with the tool's standard error, on a non-zero exit or after 60 seconds.
     */
    public static String run(SwtpmExtension swtpm, String... command) {
        swtpm.disconnect();
        return exec(swtpm.workDir(), Map.of("TPM2TOOLS_TCTI", swtpm.tcti()), command);
    }

    /** Like {@link #run(SwtpmExtension, String...)} with {@code env} added, e.g. TSS2_FAPICONF for the tss2_* tools. */
    public static String run(SwtpmExtension swtpm, Map<String, String> env, String... command) {
        swtpm.disconnect();
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("TPM2TOOLS_TCTI", swtpm.tcti());
        return exec(swtpm.workDir(), all, command);
    }

    /**
     * The hex value of the first {@code key: hex} line of a tpm2-tools output, at any indentation:
     * e.g. "name" or "qualified name" of tpm2_readpublic, "name" of tpm2_nvreadpublic.
     */
    public static byte[] hexField(String output, String key) {
        Matcher m = Pattern.compile("^\\s*" + Pattern.quote(key) + ": ([0-9a-fA-F]+)\\s*$", Pattern.MULTILINE)
                .matcher(output);
        if (!m.find()) {
            throw new AssertionError("no '" + key + ": <hex>' line in:\n" + output);
        }
        return HexFormat.of().parseHex(m.group(1));
    }

    /** What an outside program printed and returned. */
    public record Output(String command, int code, String out, String err) {
        /** Asserts exit 0; the failure shows both outputs. */
        public Output ok() {
            if (code != 0) {
                throw new AssertionError(command + " failed with exit code " + code + ":\n" + err + out);
            }
            return this;
        }
    }

    /** Runs {@code command} in {@code dir} with {@code env} added; fails unless it exits 0. See {@link #run}. */
    static String exec(Path dir, Map<String, String> env, String... command) {
        return capture(dir, env, command).ok().out();
    }

    /**
     * Runs {@code command} in {@code dir} with {@code env} added and nothing on its standard input, and
     * returns what it printed and its exit code. Fails when it cannot start or takes more than 60 seconds.
     */
    public static Output capture(Path dir, Map<String, String> env, String... command) {
        String line = String.join(" ", List.of(command));
        try {
            // outputs go to files: a pipe nobody reads could stall the tool, and the timeout must hold
            Path out = Files.createTempFile("tool", ".out");
            Path err = Files.createTempFile("tool", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                p.getOutputStream().close();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new AssertionError(line + " did not finish within " + TIMEOUT_SECONDS + " s:\n" + text(err)
                            + text(out));
                }
                return new Output(line, p.exitValue(), text(out), text(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + line + " (scripts/install-deps.sh installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + line, e);
        }
    }

    private static String text(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}
