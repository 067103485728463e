package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.vpn.openvpn.OpenVpn;
import org.tpmauth.vpn.openvpn.VpnTestKeys;

/**
 * {@code tpmauth openvpn} as a separate process (as systemd runs it) against real OpenVPN: it waits on a
 * unix socket for OpenVPN's --management-client connection, the tunnel comes up, and SIGTERM stops it
 * cleanly (socket removed, "stopped" logged). Usage errors name the option.
 */
class OpenVpnCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    static VpnTestKeys keys;
    static Path keyFile;
    static Path certFile;

    @BeforeAll
    static void material() throws Exception {
        keys = new VpnTestKeys(SWTPM, dir);
        keyFile = keys.keyFile(KeyAlgorithm.EC_P256);
        certFile = keys.certFile(KeyAlgorithm.EC_P256, keys.pki);
        keys.close(); // the tpmauth process gets the swtpm
        SWTPM.disconnect();
    }

    @AfterAll
    static void release() {
        SWTPM.disconnect();
    }

    /** tpmauth openvpn in its own JVM, its output collected. */
    static final class TpmauthProcess extends LoggedProcess {
        TpmauthProcess(String readyText, String... args) throws Exception {
            super(dir, command(args), readyText);
        }

        private static List<String> command(String... args) {
            String java = ProcessHandle.current().info().command().orElse("java");
            var command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "--tcti", SWTPM.tcti(), "openvpn"));
            command.addAll(List.of(args));
            return command;
        }
    }

    @Test
    void servesOpenVpnAndStopsOnSigterm() throws Exception {
        Path socket = dir.resolve("tpmauth-openvpn.sock");
        int serverPort = LoggedProcess.freePort();
        try (TpmauthProcess tpmauth = new TpmauthProcess("waiting for OpenVPN", "--management", "unix:" + socket,
                "--listen", "--key", keyFile.toString(), "--cert", certFile.toString());
                OpenVpn server = OpenVpn.server(keys, serverPort, null);
                OpenVpn vpn = OpenVpn.client(keys, serverPort, List.of(socket.toString(), "unix"), "MANAGEMENT:",
                        "--management-client")) {
            vpn.awaitConnected();
            server.awaitConnected();
            tpmauth.awaitLog("signed PK_SIGN ECDSA", OpenVpn.TIMEOUT);
            Process p = tpmauth.process();
            p.toHandle().destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), tpmauth.log());
            assertEquals(143, p.exitValue(), tpmauth.log()); // the JVM's exit status after SIGTERM
            assertTrue(tpmauth.log().contains(" stopped\n"), tpmauth.log());
            assertFalse(Files.exists(socket), tpmauth.log());
        }
    }

    @Test
    void usageErrors() {
        String e = Cli.tpmauthOn(SWTPM.tcti(), "openvpn", "--management", "localhost", "--key", keyFile.toString(),
                "--cert", certFile.toString()).fails();
        assertTrue(e.contains("HOST:PORT or unix:PATH"), e);
        e = Cli.tpmauthOn(SWTPM.tcti(), "openvpn", "--management", "127.0.0.1:1", "--key", "missing.pem", "--cert",
                certFile.toString()).fails();
        assertTrue(e.contains("no key file at missing.pem"), e);
        var usage = Cli.tpmauth("openvpn", "--key", "k");
        assertEquals(2, usage.code());
        assertTrue(usage.err().contains("--management"), usage.err());
        String help = Cli.tpmauth("openvpn", "--help").ok().out();
        for (String option : List.of("--management=HOST:PORT|unix:PATH", "--listen", "--key", "--cert", "--password-file",
                "--management-password-file")) {
            assertTrue(help.contains(option), help);
        }
    }
}
