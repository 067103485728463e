package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/**
 * {@code tpmauth wireguard} with real wireguard-go in two network namespaces joined by a veth pair:
 * machine A's key is sealed to PCR 16 in swtpm, machine B has a plain `wg genkey` key. Up brings the
 * tunnel up (a ping goes through); after a PCR extend the key stays sealed and A's interface is left
 * keyless and down. No file or log of the test holds A's private key.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WireguardCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    private static final String ID = HexFormat.of().formatHex(SecureRandom.getSeed(3));
    private static final String NS_A = "tpmauth-wga-" + ID;
    private static final String NS_B = "tpmauth-wgb-" + ID;
    private static final String WG_A = "wga" + ID;
    private static final String WG_B = "wgb" + ID;
    private static final List<Process> daemons = new ArrayList<>();
    private static Path sealed;
    private static String publicA;

    @BeforeAll
    static void network() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        sh("ip", "netns", "add", NS_A);
        sh("ip", "netns", "add", NS_B);
        sh("ip", "link", "add", "va" + ID, "netns", NS_A, "type", "veth", "peer", "name", "vb" + ID, "netns", NS_B);
        for (String[] side : new String[][] {{NS_A, "va" + ID, "10.231.7.1/30"}, {NS_B, "vb" + ID, "10.231.7.2/30"}}) {
            sh("ip", "-n", side[0], "addr", "add", side[2], "dev", side[1]);
            sh("ip", "-n", side[0], "link", "set", side[1], "up");
            sh("ip", "-n", side[0], "link", "set", "lo", "up");
        }
        startWireguardGo(NS_A, WG_A);
        startWireguardGo(NS_B, WG_B);

        // B: a software key, peer A
        Path keyB = dir.resolve("b.key");
        Files.writeString(keyB, sh("wg", "genkey").strip() + "\n");
        String publicB = shIn(keyB, "wg", "pubkey").strip();
        sealed = dir.resolve("a.sealed");
        publicA = tpmauth("wireguard", "seal", "--out", sealed.toString(), "--pcr-policy", "sha256:16").succeeded()
                .out().strip();
        assertEquals(publicA, tpmauth("wireguard", "pubkey", "--sealed", sealed.toString()).ok().out().strip());
        sh("ip", "netns", "exec", NS_B, "wg", "set", WG_B, "listen-port", "51821", "private-key", keyB.toString(),
                "peer", publicA, "allowed-ips", "10.232.7.1/32", "endpoint", "10.231.7.1:51820");
        sh("ip", "-n", NS_B, "addr", "add", "10.232.7.2/24", "dev", WG_B);
        sh("ip", "-n", NS_B, "link", "set", WG_B, "up");
        // A: peer B, no private key yet, link down
        sh("ip", "netns", "exec", NS_A, "wg", "set", WG_A, "listen-port", "51820", "peer", publicB, "allowed-ips",
                "10.232.7.2/32", "endpoint", "10.231.7.2:51821", "persistent-keepalive", "1");
        sh("ip", "-n", NS_A, "addr", "add", "10.232.7.1/24", "dev", WG_A);
    }

    @AfterAll
    static void teardown() {
        daemons.forEach(Process::destroy);
        for (String ns : new String[] {NS_A, NS_B}) {
            Cli.tool(Path.of("/"), "ip", "netns", "del", ns);
        }
    }

    @Test
    @Order(1)
    void upUnsealsIntoTheInterfaceAndTheTunnelCarriesAPing() throws Exception {
        Cli.Result up = tpmauth("wireguard", "up", "--sealed", sealed.toString(), "--interface", WG_A, "--netns", NS_A)
                .ok();
        assertEquals(WG_A + " is up with public key " + publicA, up.out().strip());
        assertEquals(publicA, sh("ip", "netns", "exec", NS_A, "wg", "show", WG_A, "public-key").strip());
        assertTrue(ping(), "ping through the tunnel");
    }

    @Test
    @Order(2)
    void noFileOrLogHoldsThePrivateKey() throws Exception {
        byte[] raw;
        try (Tpm tpm = SWTPM.openTpm()) {
            raw = new Sealing(tpm).unseal(Tss2KeyFile.read(sealed), new byte[0]);
        } finally {
            SWTPM.disconnect();
        }
        String b64 = Base64.getEncoder().encodeToString(raw);
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            String text = new String(content, StandardCharsets.ISO_8859_1);
            assertFalse(text.contains(b64) || text.contains(new String(raw, StandardCharsets.ISO_8859_1)), f.toString());
        }
        assertTrue(files.size() >= 3, "the scan saw the test's files and logs: " + files);
    }

    @Test
    @Order(3)
    void afterAPcrChangeTheKeyStaysSealedAndTheInterfaceKeylessAndDown() throws Exception {
        Tools.run(SWTPM, "tpm2_pcrextend", "16:sha256=" + "ab".repeat(32));
        String error = tpmauth("wireguard", "up", "--sealed", sealed.toString(), "--interface", WG_A, "--netns", NS_A)
                .fails();
        assertTrue(error.contains("stays sealed") && error.contains("PCR"), error);
        assertEquals("(none)", sh("ip", "netns", "exec", NS_A, "wg", "show", WG_A, "private-key").strip());
        assertFalse(sh("ip", "-n", NS_A, "-o", "link", "show", "dev", WG_A).contains(",UP"), "link is down");
        assertFalse(ping());
    }

    @Test
    @Order(4)
    void aMissingInterfaceIsNamed() {
        String error = tpmauth("wireguard", "up", "--sealed", sealed.toString(), "--interface", "nowg" + ID,
                "--netns", NS_A).fails();
        assertTrue(error.contains("no WireGuard interface 'nowg" + ID + "'"), error);
    }

    private static boolean ping() {
        for (int attempt = 0; attempt < 5; attempt++) { // the first handshake may take a moment
            if (Cli.tool(dir, "ip", "netns", "exec", NS_A, "ping", "-c", "1", "-W", "1", "10.232.7.2").code() == 0) {
                return true;
            }
        }
        return false;
    }

    private static Cli.Result tpmauth(String... args) {
        return Cli.tpmauthOn(SWTPM.tcti(), args);
    }

    private static void startWireguardGo(String ns, String iface) throws Exception {
        Path log = dir.resolve(iface + ".log");
        daemons.add(new ProcessBuilder("ip", "netns", "exec", ns, "wireguard-go", "-f", iface)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start());
        for (int i = 0; i < 100; i++) {
            if (Cli.tool(dir, "ip", "netns", "exec", ns, "wg", "show", iface).code() == 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("wireguard-go did not create " + iface + ": " + Files.readString(log));
    }

    private static String sh(String... command) {
        return Cli.tool(dir, command).succeeded().out();
    }

    /** Runs a command with a file as its standard input. */
    private static String shIn(Path stdin, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectInput(stdin.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command));
        return out;
    }
}
