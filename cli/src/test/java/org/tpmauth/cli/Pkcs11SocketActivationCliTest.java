package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * The shipped systemd units, run for real: systemd-socket-activate (systemd's implementation of the
 * LISTEN_FDS protocol) holds the socket of contrib/systemd's socket unit and starts the service's
 * ExecStart command line (tpmauth in its own JVM, on swtpm) at the first connection; pkcs11-tool through
 * p11-kit-client.so lists and signs, openssl verifies. Two passed sockets are refused with the fix; the
 * system units pass systemd-analyze verify.
 */
class Pkcs11SocketActivationCliTest {
    private static final Path UNITS = Path.of("../contrib/systemd");

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;
    private static Path keystore;

    @BeforeAll
    static void keystoreWithOneEcKey() throws Exception {
        keystore = Files.createDirectory(dir.resolve("keystore"));
        Cli.tpmauthOn(SWTPM.tcti(), "key", "create", "--type", "ec-p256", "--out", "" + keystore.resolve("device.key.pem")).ok();
        Cli.tpmauthOn(SWTPM.tcti(), "csr", "--key", "" + keystore.resolve("device.key.pem"), "--subject", "CN=device",
                "--out", "" + dir.resolve("device.csr")).ok();
        Cli.issue(dir, "device.csr", keystore.resolve("device.crt.pem"));
        Files.write(dir.resolve("digest"), MessageDigest.getInstance("SHA-256").digest("data".getBytes()));
        SWTPM.disconnect(); // the service's JVM gets swtpm
    }

    /**
     * systemd-socket-activate listening on {@code sockets}, starting the system unit's ExecStart (tpmauth
     * run from this test's classpath, the keystore in the test's directory) on the test's swtpm.
     */
    private static LoggedProcess activate(Path... sockets) throws Exception {
        List<String> command = new ArrayList<>(List.of("systemd-socket-activate"));
        for (Path socket : sockets) {
            command.addAll(List.of("-l", socket.toString()));
        }
        command.addAll(List.of("-E", "TPM2TOOLS_TCTI=" + SWTPM.tcti(), "--"));
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        List<String> execStart = execStart("system/tpmauth-pkcs11.service");
        assertEquals("/usr/bin/tpmauth", execStart.get(0));
        for (int i = 1; i < execStart.size(); i++) {
            boolean keystoreValue = execStart.get(i - 1).equals("--keystore");
            command.add(keystoreValue ? keystore.toString() : execStart.get(i));
        }
        return new LoggedProcess(dir, command, "Listening on " + sockets[sockets.length - 1]);
    }

    /** The service unit's ExecStart command line, split at spaces. */
    private static List<String> execStart(String unit) throws IOException {
        return Files.readAllLines(UNITS.resolve(unit)).stream().filter(l -> l.startsWith("ExecStart="))
                .map(l -> Arrays.asList(l.substring("ExecStart=".length()).split(" +"))).findFirst().orElseThrow();
    }

    /** The value of {@code key=} in a unit file. */
    private static String setting(String unit, String key) throws IOException {
        return Files.readAllLines(UNITS.resolve(unit)).stream().filter(l -> l.startsWith(key + "="))
                .map(l -> l.substring(key.length() + 1)).findFirst().orElseThrow();
    }

    private static Cli.Result pkcs11Tool(Path socket, String... args) {
        return Cli.pkcs11Tool(dir, socket, args);
    }

    @Test
    void theFirstProgramStartsTheServiceOnThePassedSocket() throws Exception {
        Path socket = dir.resolve("pkcs11.sock");
        try (LoggedProcess service = activate(socket)) {
            // the first connection starts the JVM; p11-kit's client waits for its version byte meanwhile
            Cli.Result slots = pkcs11Tool(socket, "-L").succeeded();
            assertTrue(slots.out().contains("token label        : tpmauth"), slots::toString);
            service.awaitLog("serving token 'tpmauth' (1 keys: device) on unix:path=" + socket, Duration.ofSeconds(5));
            assertTrue(service.log().contains("Execing "), service.log());

            assertTrue(pkcs11Tool(socket, "-O").succeeded().out().contains("label:      device"));
            pkcs11Tool(socket, "--sign", "--label", "device", "--mechanism", "ECDSA", "--signature-format", "openssl",
                    "-i", "digest", "-o", "sig").succeeded();
            Cli.tool(dir, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-in", "digest",
                    "-sigfile", "sig").succeeded();

            Process p = service.process();
            p.destroy(); // systemctl stop: SIGTERM
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), service.log());
            assertTrue(Files.exists(socket), "the socket is systemd's: the service leaves it in place");
        } finally {
            SWTPM.disconnect();
        }
    }

    @Test
    void twoPassedSocketsAreRefusedWithTheFix() throws Exception {
        Path first = dir.resolve("a.sock");
        try (LoggedProcess service = activate(first, dir.resolve("b.sock"));
             SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(first));
            Process p = service.process();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), service.log());
            assertEquals(1, p.exitValue(), service.log());
            assertTrue(service.log().contains("tpmauth: systemd passed LISTEN_FDS=2 sockets; tpmauth pkcs11 serve takes "
                    + "exactly one: give its socket unit a single ListenStream="), service.log());
        }
    }

    @Test
    void unitsAreValidAndAgree() throws Exception {
        assertEquals("/run/tpmauth/pkcs11.sock", setting("system/tpmauth-pkcs11.socket", "ListenStream"));
        assertEquals(Pkcs11Command.DEFAULT_SOCKET, setting("system/tpmauth-pkcs11.socket", "ListenStream"));
        assertEquals("%t/tpmauth/pkcs11.sock", setting("user/tpmauth-pkcs11.socket", "ListenStream"));
        assertEquals("0600", setting("user/tpmauth-pkcs11.socket", "SocketMode"));
        assertEquals(execStart("system/tpmauth-pkcs11.service").subList(0, 3),
                execStart("user/tpmauth-pkcs11.service").subList(0, 3));
        Cli.Result verify = Cli.tool(UNITS.resolve("system"), "systemd-analyze", "verify", "--man=no",
                "./tpmauth-pkcs11.socket", "./tpmauth-pkcs11.service");
        // tpmauth is not installed at /usr/bin on a build machine; that is the only complaint allowed
        List<String> complaints = (verify.out() + verify.err()).lines().filter(l -> l.contains("tpmauth-pkcs11"))
                .filter(l -> !l.endsWith("Command /usr/bin/tpmauth is not executable: No such file or directory"))
                .toList();
        assertEquals(List.of(), complaints, verify::toString);
    }
}
