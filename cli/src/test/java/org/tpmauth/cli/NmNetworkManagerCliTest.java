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
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.pkcs11.P11KitModuleConfig;
import org.tpmauth.pkcs11.Pkcs11Server;
import org.tpmauth.pkcs11.Token;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tls.testing.FreeRadius;
import org.tpmauth.tls.testing.Hostapd;
import org.tpmauth.tls.testing.VethPair;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/**
 * tpmauth nm provision (in its own JVM, on swtpm) against a live NetworkManager ({@link NetworkManagerLab}:
 * its own bus, in a network namespace, managing one end of a veth pair): CSR, then the issued
 * certificate; NetworkManager loads the profile and shows the 802.1X settings with the token's pkcs11:
 * URIs; a keyfile directory NetworkManager does not read is reported. Then NetworkManager brings the
 * connection up: its wpa_supplicant signs through the token (found through the registered p11-kit module
 * config) and hostapd, asking FreeRADIUS, authorizes the port.
 */
@EnabledIf("networkManagerInstalled")
class NmNetworkManagerCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;
    private static VethPair veth;
    private static NetworkManagerLab nm;
    private static TestPki pki;
    private static Path keystore;
    private static Path modules;
    private static Path socket;

    static boolean networkManagerInstalled() {
        return Files.isExecutable(Path.of("/usr/sbin/NetworkManager"));
    }

    @BeforeAll
    static void provision() throws Exception {
        veth = VethPair.create();
        nm = new NetworkManagerLab(Files.createDirectory(dir.resolve("nm")), veth.b, VethPair.B_IF);
        pki = new TestPki("802.1X test CA");
        TestPki.writePem(dir.resolve("ca.pem"), pki.ca);
        TestPki.writePem(dir.resolve("ca.key"), pki.caKey.getPrivate());
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n");
        keystore = dir.resolve("keystore");
        modules = dir.resolve("modules");
        socket = dir.resolve("p11.sock");

        // README steps 2 and 3: the key and its CSR, then the certificate the CA issued
        String first = provision("office", nm.connections, "--csr-out", dir.resolve("office.csr").toString()).ok().out();
        assertTrue(first.contains("added connection 'office'") && first.contains("get " + dir.resolve("office.csr")), first);
        Cli.tool(dir, "openssl", "x509", "-req", "-in", "office.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "1", "-extfile", "client.ext", "-out", "office.crt").succeeded();
        String uuid = nm.nmcli("-g", "connection.uuid", "connection", "show", "office").ok().out().strip();
        provision("office", nm.connections, "--cert", dir.resolve("office.crt").toString()).ok();
        assertEquals(uuid, nm.nmcli("-g", "connection.uuid", "connection", "show", "office").ok().out().strip(),
                "running again updates the same connection");
    }

    @AfterAll
    static void stop() {
        if (nm != null) {
            nm.close();
        }
        if (veth != null) {
            veth.close();
        }
        SWTPM.disconnect();
    }

    /** tpmauth nm provision in its own JVM, its nmcli on the lab's bus. */
    private static Tools.Output provision(String connection, Path connections, String... credential) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--tcti", SWTPM.tcti(), "nm", "provision",
                "--connection", connection, "--wired", VethPair.B_IF, "--identity", "device-7@example.org", "--ca",
                dir.resolve("ca.pem").toString(), "--keystore", keystore.toString(), "--connections-dir",
                connections.toString(), "--modules-dir", modules.toString(), "--socket", socket.toString()));
        command.addAll(List.of(credential));
        SWTPM.disconnect();
        return Tools.capture(dir, nm.env(), command.toArray(String[]::new));
    }

    @Test
    void networkManagerShowsTheProfileWithTheTokenUris() throws Exception {
        String shown = nm.nmcli("-t", "-f", "connection.type,connection.interface-name,802-1x", "connection", "show",
                "office").ok().out();
        for (String line : List.of("connection.type:802-3-ethernet", "connection.interface-name:" + VethPair.B_IF,
                "802-1x.eap:tls", "802-1x.identity:device-7@example.org", "802-1x.ca-cert:" + dir.resolve("ca.pem"),
                "802-1x.client-cert:pkcs11:token=tpmauth;object=office;type=cert",
                "802-1x.private-key:pkcs11:token=tpmauth;object=office;type=private",
                "802-1x.client-cert-password-flags:4", "802-1x.private-key-password-flags:4")) {
            assertTrue(shown.lines().anyMatch(line::equals), line + " in:\n" + shown);
        }
        assertEquals(List.of("office"), nm.nmcli("-t", "-f", "NAME", "connection").ok().out().lines().toList());
        assertEquals("remote: " + P11KitModuleConfig.address(socket),
                Files.readAllLines(modules.resolve("tpmauth.module")).get(1));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(nm.connections.resolve("office.nmconnection"))));
    }

    @Test
    void aDirectoryNetworkManagerDoesNotReadIsReported() throws Exception {
        Path elsewhere = dir.resolve("elsewhere");
        Tools.Output r = provision("lab", elsewhere, "--csr-out", dir.resolve("lab.csr").toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("tpmauth: NetworkManager did not load " + elsewhere.resolve("lab.nmconnection")),
                r::toString);
        assertTrue(r.err().contains("[keyfile] path"), r::toString);
        assertFalse(nm.nmcli("-t", "-f", "NAME", "connection").ok().out().contains("lab"));
    }

    /**
     * The whole route: NetworkManager activates the provisioned connection (IP configuration off: the
     * test's wire has no DHCP server); its wpa_supplicant has no module path and no environment and
     * reaches the token through p11-kit's proxy and the module config; FreeRADIUS accepts the TPM key.
     */
    @Test
    void networkManagerAuthenticatesThePortThroughTheToken() throws Exception {
        Path server = dir.resolve("radius");
        Files.createDirectories(server);
        var radiusKey = TestPki.ecKey();
        TestPki.writePem(server.resolve("radius.key"), radiusKey.getPrivate());
        TestPki.writePem(server.resolve("radius.pem"), pki.issue(radiusKey.getPublic(), "radius"));
        // wpa_supplicant runs as root: p11-kit reads only the system module directory for it
        String module = "tpmauth-nm-" + ProcessHandle.current().pid();
        ByteArrayOutputStream tokenLog = new ByteArrayOutputStream();
        nm.nmcli("connection", "modify", "office", "ipv4.method", "disabled", "ipv6.method", "disabled").ok();
        try (Tpm tpm = new Tpm(SWTPM.openTpm().tcti(), true); // resource-managed, as `tpmauth pkcs11 serve` runs
             TpmKeys keys = new TpmKeys(tpm);
             Pkcs11Server token = Pkcs11Server.start(Token.open(keys, keystore, "tpmauth", null), socket,
                     new PrintStream(tokenLog, true, StandardCharsets.UTF_8));
             FreeRadius radius = FreeRadius.start(dir.resolve("ca.pem"), server.resolve("radius.pem"),
                     server.resolve("radius.key"), 1024, veth.a);
             Hostapd hostapd = Hostapd.startWithRadius(veth.a, VethPair.A_IF, radius.port, radius.secret)) {
            P11KitModuleConfig.install(P11KitModuleConfig.SYSTEM_DIR, module, token.socket());
            try {
                Tools.Output up = nm.nmcli("--wait", "40", "connection", "up", "office");
                String logs = "\nNetworkManager:\n" + LoggedProcess.tail(nm.networkManager.log()) + "\nwpa_supplicant:\n"
                        + LoggedProcess.tail(nm.supplicant.log()) + "\nhostapd:\n" + LoggedProcess.tail(hostapd.log())
                        + "\ntoken:\n" + tokenLog;
                assertEquals(0, up.code(), () -> up + logs);
                hostapd.awaitAuthorized();
                assertTrue(nm.supplicant.log().contains("CTRL-EVENT-EAP-SUCCESS"), logs);
                assertTrue(nm.nmcli("-t", "-f", "DEVICE,STATE", "device").ok().out().contains(VethPair.B_IF + ":connected"));
            } finally {
                P11KitModuleConfig.uninstall(P11KitModuleConfig.SYSTEM_DIR, module);
                nm.nmcli("connection", "down", "office");
            }
        }
    }
}
