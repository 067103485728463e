package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * tpmauth pkcs11 serve on a real swtpm with a password-protected key: the PIN is the key's password
 * (checked by the TPM), wrong PINs are refused and then no longer tried before the TPM would lock out;
 * pkcs11-tool signs through p11-kit-client.so and openssl verifies; install / uninstall.
 */
class Pkcs11CliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    Path dir;

    private Cli.Result pkcs11Tool(Path socket, String... args) {
        return Cli.pkcs11Tool(dir, socket, args);
    }

    @Test
    void passwordKeyThroughTheTokenWithPinGuard() throws Exception {
        Path keystore = Files.createDirectory(dir.resolve("keystore"));
        Files.writeString(dir.resolve("pw"), "key password\n");
        Cli.tpmauthOn(SWTPM.tcti(), "key", "create", "--type", "ec-p256", "--password-file", "" + dir.resolve("pw"),
                "--out", "" + keystore.resolve("device.key.pem")).ok();
        Cli.tpmauthOn(SWTPM.tcti(), "csr", "--key", "" + keystore.resolve("device.key.pem"), "--password-file",
                "" + dir.resolve("pw"), "--subject", "CN=device", "--out", "" + dir.resolve("device.csr")).ok();
        Cli.issue(dir, "device.csr", keystore.resolve("device.crt.pem"));
        Files.write(dir.resolve("digest"), MessageDigest.getInstance("SHA-256").digest("data".getBytes()));

        Path socket = dir.resolve("run/p11.sock");
        AtomicReference<Cli.Result> served = new AtomicReference<>();
        Thread service = new Thread(() -> served.set(Cli.tpmauthOn(SWTPM.tcti(), "pkcs11", "serve", "--socket",
                socket.toString(), "--keystore", keystore.toString())));
        service.start();
        try {
            for (int i = 0; i < 1200 && !Files.exists(socket); i++) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(socket), "the service did not create its socket within 60 s");
            assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(socket)));
            assertTrue(pkcs11Tool(socket, "-L").succeeded().out().contains("login required"));

            pkcs11Tool(socket, "--login", "--pin", "key password", "--sign", "--label", "device", "--mechanism",
                    "ECDSA", "--signature-format", "openssl", "-i", "digest", "-o", "sig").succeeded();
            Cli.tool(dir, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-in", "digest",
                    "-sigfile", "sig").succeeded();

            Cli.Result wrong = pkcs11Tool(socket, "--login", "--pin", "guess", "-O");
            assertNotEquals(0, wrong.code());
            assertTrue(wrong.err().contains("CKR_PIN_INCORRECT"), wrong.toString());
            Cli.Result last = wrong;
            for (int i = 0; i < 3 && !last.err().contains("CKR_PIN_LOCKED"); i++) {
                last = pkcs11Tool(socket, "--login", "--pin", "guess", "-O");
            }
            assertTrue(last.err().contains("CKR_PIN_LOCKED"), "refused before the TPM locks out: " + last);
        } finally {
            service.interrupt();
            service.join(10_000);
        }
        assertFalse(service.isAlive());
        assertEquals(0, served.get().code(), served.get()::toString);
        assertTrue(served.get().out().contains("serving token 'tpmauth' (1 keys: device) on unix:path="), served.get()::toString);
        assertFalse(Files.exists(socket), "the socket is removed at shutdown");
        String info = Cli.tpmauthOn(SWTPM.tcti(), "tpm", "info").ok().out();
        assertTrue(info.contains("not in lockout"), "the guard stopped before the TPM's lockout: " + info);
    }

    @Test
    void installAndUninstallTheModuleConfig() throws Exception {
        Path modules = dir.resolve("modules");
        Cli.tpmauth("pkcs11", "install", "--socket", "/run/tpm auth/p.sock", "--modules-dir", modules.toString()).ok();
        assertEquals("remote: unix:path=/run/tpm%20auth/p.sock",
                Files.readAllLines(modules.resolve("tpmauth.module")).get(1));
        assertTrue(Cli.tpmauth("pkcs11", "uninstall", "--modules-dir", modules.toString()).ok().out().startsWith("removed"));
        assertFalse(Files.exists(modules.resolve("tpmauth.module")));
        Files.writeString(modules.resolve("other.module"), "module: opensc-pkcs11.so\n");
        String error = Cli.tpmauth("pkcs11", "uninstall", "--name", "other", "--modules-dir", modules.toString()).fails();
        assertTrue(error.contains("not written by tpmauth"), error);
        assertTrue(Files.exists(modules.resolve("other.module")));
    }

    @Test
    void helpNamesTheOptions() {
        String help = Cli.tpmauth("pkcs11", "serve", "--help").ok().out();
        assertTrue(help.contains("--socket=PATH") && help.contains("--keystore=DIR") && help.contains("--pin-file=F"), help);
        String error = Cli.tpmauth("pkcs11", "serve", "--keystore", dir.resolve("none").toString()).fails();
        assertTrue(error.contains("no keystore directory"), error);
    }
}
