package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.testing.NetNamespace;
import org.tpmauth.tls.testing.VethPair;
import org.tpmauth.vpn.wireguard.WgControl;

/**
 * Two wireguard-go interfaces in two network namespaces joined by a veth pair, for the tests of sealed keys:
 * machine A (interface {@link #wgA} in {@link #nsA}, 10.232.7.1) gets the key under test, machine B
 * ({@link #wgB}, 10.232.7.2) has a plain `wg genkey` key and A as its peer. Logs go to the test's directory.
 */
final class WireguardPair implements AutoCloseable {
    final String wgA;
    final String wgB;
    final String nsA;
    final String nsB;
    private final Path dir;
    private final VethPair veth;
    private final List<LoggedProcess> daemons = new ArrayList<>();
    private String publicB;

    private WireguardPair(Path dir, VethPair veth) {
        String id = HexFormat.of().formatHex(SecureRandom.getSeed(3));
        this.dir = dir;
        this.veth = veth;
        this.wgA = "wga" + id;
        this.wgB = "wgb" + id;
        this.nsA = veth.a;
        this.nsB = veth.b;
    }

    /** Both interfaces up in their namespaces, B with its key; A without key and peer until {@link #connect}. */
    static WireguardPair start(Path dir) throws Exception {
        WireguardPair pair = new WireguardPair(dir, VethPair.create());
        try {
            pair.sh("ip", "-n", pair.nsA, "addr", "add", "10.231.7.1/30", "dev", VethPair.A_IF);
            pair.sh("ip", "-n", pair.nsB, "addr", "add", "10.231.7.2/30", "dev", VethPair.B_IF);
            pair.startWireguardGo(pair.nsA, pair.wgA);
            pair.startWireguardGo(pair.nsB, pair.wgB);
            Path keyB = dir.resolve("b.key");
            Files.writeString(keyB, pair.sh("wg", "genkey").strip() + "\n");
            pair.publicB = shIn(keyB, "wg", "pubkey").strip();
            pair.sh("ip", "netns", "exec", pair.nsB, "wg", "set", pair.wgB, "listen-port", "51821", "private-key",
                    keyB.toString());
            pair.sh("ip", "-n", pair.nsB, "addr", "add", "10.232.7.2/24", "dev", pair.wgB);
            pair.sh("ip", "-n", pair.nsB, "link", "set", pair.wgB, "up");
            return pair;
        } catch (Exception | AssertionError e) {
            pair.close();
            throw e;
        }
    }

    /** B takes {@code publicA} as its peer; A gets B as its peer, its address, no private key and a down link. */
    void connect(String publicA) {
        peerB(publicA);
        sh("ip", "netns", "exec", nsA, "wg", "set", wgA, "listen-port", "51820", "peer", publicB, "allowed-ips",
                "10.232.7.2/32", "endpoint", "10.231.7.2:51821", "persistent-keepalive", "1");
        sh("ip", "-n", nsA, "addr", "add", "10.232.7.1/24", "dev", wgA);
    }

    /** B's peer A becomes {@code publicA} (replacing whichever peers B had). */
    void peerB(String publicA) {
        sh("ip", "netns", "exec", nsB, "wg", "set", wgB, "peer", publicA, "allowed-ips", "10.232.7.1/32", "endpoint",
                "10.231.7.1:51820");
        for (String peer : sh("ip", "netns", "exec", nsB, "wg", "show", wgB, "peers").strip().split("\n")) {
            if (!peer.isBlank() && !peer.equals(publicA)) {
                sh("ip", "netns", "exec", nsB, "wg", "set", wgB, "peer", peer, "remove");
            }
        }
    }

    /** A's interface driven by the production code. */
    WgControl controlA() {
        return new WgControl(Optional.of(nsA));
    }

    /** Whether A has no private key (compared here, so that no assertion message can carry the key). */
    boolean keylessA() {
        return "(none)".equals(sh("ip", "netns", "exec", nsA, "wg", "show", wgA, "private-key").strip());
    }

    String publicKeyA() {
        return sh("ip", "netns", "exec", nsA, "wg", "show", wgA, "public-key").strip();
    }

    boolean linkUpA() {
        return sh("ip", "-n", nsA, "-o", "link", "show", "dev", wgA).contains(",UP");
    }

    /** A keyless and down. */
    void resetA() {
        WgControl wg = controlA();
        wg.clearPrivateKey(wgA);
        wg.linkDown(wgA);
    }

    /** A ping from A to B through the tunnel. */
    boolean ping() {
        for (int attempt = 0; attempt < 5; attempt++) { // the first handshake may take a moment
            if (Cli.tool(dir, "ip", "netns", "exec", nsA, "ping", "-c", "1", "-W", "1", "10.232.7.2").code() == 0) {
                return true;
            }
        }
        return false;
    }

    String sh(String... command) {
        return Cli.tool(dir, command).succeeded().out();
    }

    private void startWireguardGo(String ns, String iface) throws Exception {
        LoggedProcess daemon = new LoggedProcess(NetNamespace.inNamespace(ns, "wireguard-go", "-f", iface),
                dir.resolve(iface + ".log"));
        daemons.add(daemon);
        for (int i = 0; i < 100; i++) {
            if (Cli.tool(dir, "ip", "netns", "exec", ns, "wg", "show", iface).code() == 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("wireguard-go did not create " + iface + ": " + daemon.log());
    }

    /** Runs a command with a file as its standard input. */
    private static String shIn(Path stdin, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectInput(stdin.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command));
        return out;
    }

    @Override
    public void close() {
        daemons.forEach(LoggedProcess::close);
        veth.close();
    }
}
