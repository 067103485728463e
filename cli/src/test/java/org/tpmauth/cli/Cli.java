package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/** Runs the tpmauth CLI in-process, and outside tools (openssl, tpm2-tools), capturing their output. */
final class Cli {
    private Cli() {
    }

    /** What a run printed and returned. */
    record Result(String command, int code, String out, String err) {
        /** Asserts exit 0 and nothing on stderr. */
        Result ok() {
            assertEquals(0, code, () -> command + " failed: " + this);
            assertEquals("", err, () -> command + " printed on stderr: " + this);
            return this;
        }

        /** Asserts exit 0 (outside tools may warn on stderr). */
        Result succeeded() {
            assertEquals(0, code, () -> command + " failed: " + this);
            return this;
        }

        /**
         * Asserts a runtime failure as the CLI promises it: exit 1, nothing on stdout, exactly one
         * "tpmauth: ..." line on stderr; returns that line.
         */
        String fails() {
            assertEquals(1, code, () -> command + " should fail with exit 1: " + this);
            assertEquals("", out, () -> command + " printed on stdout: " + this);
            assertTrue(err.startsWith("tpmauth: "), () -> "error line should start with 'tpmauth: ': " + err);
            assertEquals(1, err.lines().count(), () -> "one line expected: " + err);
            assertFalse(err.contains("Exception") || err.contains("\tat "), () -> "no stack trace: " + err);
            return err.strip();
        }

        List<String> outLines() {
            return out.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    /** Runs {@code tpmauth args...} in this JVM. */
    static Result tpmauth(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(o, e, args);
        }
        return new Result("tpmauth " + String.join(" ", args), code, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code tpmauth --tcti tcti args...}. */
    static Result tpmauthOn(String tcti, String... args) {
        List<String> all = new ArrayList<>(List.of("--tcti", tcti));
        all.addAll(Arrays.asList(args));
        return tpmauth(all.toArray(String[]::new));
    }

    /** Runs tpm2-tools' {@code tool args...} against {@code swtpm} in {@code dir}; asserts exit 0. */
    static Result tpm2(SwtpmExtension swtpm, Path dir, String tool, String... args) {
        List<String> command = new ArrayList<>(List.of(tool, "-T", swtpm.tcti()));
        command.addAll(List.of(args));
        return tool(dir, command.toArray(String[]::new)).succeeded();
    }

    /**
     * Signs the CSR {@code dir/csr} with a throwaway test CA ({@code dir/ca.key}, {@code dir/ca.pem}, made on
     * first use) into {@code cert}, and writes the certificate's public key to {@code dir/pub.pem}.
     */
    static void issue(Path dir, String csr, Path cert) {
        if (!Files.exists(dir.resolve("ca.pem"))) {
            tool(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=test CA", "-days", "1").succeeded();
        }
        tool(dir, "openssl", "x509", "-req", "-in", csr, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days",
                "1", "-out", cert.toString()).succeeded();
        tool(dir, "openssl", "x509", "-in", cert.toString(), "-pubkey", "-noout", "-out", "pub.pem").succeeded();
    }

    /** pkcs11-tool in {@code dir} through p11-kit's client module to the token served on {@code socket}. */
    static Result pkcs11Tool(Path dir, Path socket, String... args) {
        List<String> command = new ArrayList<>(List.of("env", "P11_KIT_SERVER_ADDRESS=unix:path=" + socket,
                "pkcs11-tool", "--module=/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so"));
        command.addAll(List.of(args));
        return tool(dir, command.toArray(String[]::new));
    }

    /** Runs an outside program in {@code dir} (60 s at most). */
    static Result tool(Path dir, String... command) {
        Tools.Output r = Tools.capture(dir, Map.of(), command);
        return new Result(r.command(), r.code(), r.out(), r.err());
    }

    /** Waits (up to 30 s) until something listens on 127.0.0.1:{@code port}, e.g. a server started on a thread. */
    static void awaitPort(int port) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (java.io.IOException notYet) {
                assertTrue(System.currentTimeMillis() < deadline, "nothing listens on port " + port);
                Thread.sleep(50);
            }
        }
    }
}
