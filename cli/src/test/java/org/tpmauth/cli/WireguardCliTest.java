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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.testing.NetNamespace;
import org.tpmauth.tls.testing.VethPair;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.EvictControl;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.vpn.wireguard.SealedWireGuardKey;
import org.tpmauth.vpn.wireguard.WgControl;
import org.tpmauth.vpn.wireguard.WireGuardBringUp;
import org.tpmauth.vpn.wireguard.WireGuardKey;

/**
 * {@code tpmauth wireguard} with real wireguard-go in two network namespaces joined by a veth pair:
 * machine A's key is sealed to PCR 16 in swtpm, machine B has a plain `wg genkey` key. Up brings the
 * tunnel up (a ping goes through); after a PCR extend the key stays sealed and A's interface is left
 * keyless and down; a key sealed under an authorized policy comes back with a new signature for the new
 * values. No file or log of the test holds A's private key.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WireguardCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    private static final String ID = HexFormat.of().formatHex(SecureRandom.getSeed(3));
    private static final String WG_A = "wga" + ID;
    private static final String WG_B = "wgb" + ID;
    private static final List<LoggedProcess> daemons = new ArrayList<>();
    private static final int PERSISTENT_SRK = 0x81000001;
    private static VethPair veth;
    private static String nsA;
    private static String nsB;
    private static Path sealed;
    private static String publicA;

    @BeforeAll
    static void network() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        veth = VethPair.create();
        nsA = veth.a;
        nsB = veth.b;
        sh("ip", "-n", nsA, "addr", "add", "10.231.7.1/30", "dev", VethPair.A_IF);
        sh("ip", "-n", nsB, "addr", "add", "10.231.7.2/30", "dev", VethPair.B_IF);
        startWireguardGo(nsA, WG_A);
        startWireguardGo(nsB, WG_B);

        // B: a software key, peer A
        Path keyB = dir.resolve("b.key");
        Files.writeString(keyB, sh("wg", "genkey").strip() + "\n");
        String publicB = shIn(keyB, "wg", "pubkey").strip();
        sealed = dir.resolve("a.sealed");
        publicA = tpmauth("wireguard", "seal", "--out", sealed.toString(), "--pcr-policy", "sha256:16").succeeded()
                .out().strip();
        assertEquals(publicA, tpmauth("wireguard", "pubkey", "--sealed", sealed.toString()).ok().out().strip());
        sh("ip", "netns", "exec", nsB, "wg", "set", WG_B, "listen-port", "51821", "private-key", keyB.toString(),
                "peer", publicA, "allowed-ips", "10.232.7.1/32", "endpoint", "10.231.7.1:51820");
        sh("ip", "-n", nsB, "addr", "add", "10.232.7.2/24", "dev", WG_B);
        sh("ip", "-n", nsB, "link", "set", WG_B, "up");
        // A: peer B, no private key yet, link down
        sh("ip", "netns", "exec", nsA, "wg", "set", WG_A, "listen-port", "51820", "peer", publicB, "allowed-ips",
                "10.232.7.2/32", "endpoint", "10.231.7.2:51821", "persistent-keepalive", "1");
        sh("ip", "-n", nsA, "addr", "add", "10.232.7.1/24", "dev", WG_A);
    }

    @AfterAll
    static void teardown() {
        daemons.forEach(LoggedProcess::close);
        if (veth != null) {
            veth.close();
        }
    }

    @Test
    @Order(1)
    void upUnsealsIntoTheInterfaceAndTheTunnelCarriesAPing() throws Exception {
        Cli.Result up = tpmauth("wireguard", "up", "--sealed", sealed.toString(), "--interface", WG_A, "--netns", nsA)
                .ok();
        assertEquals(WG_A + " is up with public key " + publicA, up.out().strip());
        assertEquals(publicA, sh("ip", "netns", "exec", nsA, "wg", "show", WG_A, "public-key").strip());
        assertTrue(ping(), "ping through the tunnel");
    }

    @Test
    @Order(2)
    void noFileOrLogHoldsThePrivateKey() throws Exception {
        byte[] raw;
        try (Tpm tpm = SWTPM.openTpm(); TpmKeys keys = new TpmKeys(tpm)) {
            raw = new Sealing(keys).unseal(Tss2KeyFile.read(sealed), new byte[0]);
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
    @Order(4)
    void afterAPcrChangeTheKeyStaysSealedAndTheInterfaceKeylessAndDown() throws Exception {
        Tools.run(SWTPM, "tpm2_pcrextend", "16:sha256=" + "ab".repeat(32));
        String error = tpmauth("wireguard", "up", "--sealed", sealed.toString(), "--interface", WG_A, "--netns", nsA)
                .fails();
        assertTrue(error.contains("stays sealed") && error.contains("PCR"), error);
        assertEquals("(none)", sh("ip", "netns", "exec", nsA, "wg", "show", WG_A, "private-key").strip());
        assertFalse(sh("ip", "-n", nsA, "-o", "link", "show", "dev", WG_A).contains(",UP"), "link is down");
        assertFalse(ping());
    }

    /** Runs while the key still unseals (before the PCR extend): wg set is what finds no interface. */
    @Test
    @Order(3)
    void aMissingInterfaceIsNamed() {
        String error = tpmauth("wireguard", "up", "--sealed", sealed.toString(), "--interface", "nowg" + ID,
                "--netns", nsA).fails();
        assertTrue(error.contains("no WireGuard interface 'nowg" + ID + "'"), error);
    }

    /**
     * A key sealed under an authorized policy: up with the owner's signed policy for the PCR values; after a
     * PCR extend that signature no longer opens it (keyless and down, the policy named); a new signature for the
     * new values brings the tunnel back. B's peer becomes this key's public key.
     */
    @Test
    @Order(5)
    void anAuthorizedPolicyReopensTheKeyAfterAPcrChangeWithANewSignature() throws Exception {
        Path signer = dir.resolve("signer.pem");
        Path signerPub = dir.resolve("signer-pub.pem");
        sh("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", signer.toString());
        sh("openssl", "pkey", "-in", signer.toString(), "-pubout", "-out", signerPub.toString());
        Path authorized = dir.resolve("authorized.sealed");
        String publicKey = tpmauth("wireguard", "seal", "--out", authorized.toString(), "--authorized-by",
                signerPub.toString()).succeeded().out().strip();
        sh("ip", "netns", "exec", nsB, "wg", "set", WG_B, "peer", publicA, "remove", "peer", publicKey, "allowed-ips",
                "10.232.7.1/32", "endpoint", "10.231.7.1:51820");
        Path before = dir.resolve("before.sig");
        tpmauth("policy", "sign", "--signer", signer.toString(), "--pcrs", "sha256:16", "--out", before.toString()).ok();
        tpmauth("wireguard", "up", "--sealed", authorized.toString(), "--interface", WG_A, "--netns", nsA,
                "--policy-signature", before.toString()).ok();
        assertTrue(ping(), "ping with the authorized key");

        Tools.run(SWTPM, "tpm2_pcrextend", "16:sha256=" + "cd".repeat(32));
        String error = tpmauth("wireguard", "up", "--sealed", authorized.toString(), "--interface", WG_A, "--netns",
                nsA, "--policy-signature", before.toString()).fails();
        assertTrue(error.contains("stays sealed") && error.contains("PolicyPCR"), error);
        assertEquals("(none)", sh("ip", "netns", "exec", nsA, "wg", "show", WG_A, "private-key").strip());
        assertFalse(ping());

        Path after = dir.resolve("after.sig");
        tpmauth("policy", "sign", "--signer", signer.toString(), "--pcrs", "sha256:16", "--out", after.toString()).ok();
        assertEquals(WG_A + " is up with public key " + publicKey, tpmauth("wireguard", "up", "--sealed",
                authorized.toString(), "--interface", WG_A, "--netns", nsA, "--policy-signature", after.toString())
                .ok().out().strip());
        assertTrue(ping(), "ping again after the owner signed the new PCR values");
    }

    /**
     * The WireGuard speed comparison (-Dtpmauth.bench=true): bringing A's interface up with a sealed
     * key versus with a key file ({@code wg set IFACE private-key FILE}, {@code ip link set IFACE up}), in
     * interleaved rounds. "cold" opens the TPM per bring-up as {@code tpmauth wireguard up} does (its JVM start
     * not included: see bench/README.md), so the storage primary is made each time; "warm" keeps one Tpm and
     * TpmKeys, as a resident service would; "cold_srk" is cold on a machine whose SRK is persisted at 0x81000001
     * (no CreatePrimary then). The unseal and each step are timed too.
     */
    @Test
    @Order(99)
    @EnabledIfSystemProperty(named = "tpmauth.bench", matches = "true")
    void bringUpTimesSealedVersusKeyFile() throws Exception {
        int rounds = Integer.getInteger("tpmauth.bench.rounds", 5);
        int perRound = Integer.getInteger("tpmauth.bench.runs", 10);
        Path sealedFile = dir.resolve("bench.sealed");
        tpmauth("wireguard", "seal", "--out", sealedFile.toString(), "--pcr-policy", "sha256:16").succeeded();
        Tss2KeyFile benchSealed = Tss2KeyFile.read(sealedFile);
        Path keyFile = dir.resolve("bench.key");
        Files.writeString(keyFile, sh("wg", "genkey").strip() + "\n");
        WgControl wg = new WgControl(Optional.of(nsA));
        Map<String, List<Long>> times = new LinkedHashMap<>();
        SWTPM.disconnect();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < perRound; i++) {
                resetA(wg);
                long start = System.nanoTime();
                sh("ip", "netns", "exec", nsA, "wg", "set", WG_A, "private-key", keyFile.toString());
                sh("ip", "-n", nsA, "link", "set", "dev", WG_A, "up");
                times.computeIfAbsent("keyfile", k -> new ArrayList<>()).add(System.nanoTime() - start);
            }
            for (int i = 0; i < perRound; i++) { // what WgControl adds: the key through a pipe
                resetA(wg);
                long start = System.nanoTime();
                WireGuardKey key = WireGuardKey.fromBase64(Files.readAllBytes(keyFile));
                wg.setPrivateKey(WG_A, key);
                wg.linkUp(WG_A);
                times.computeIfAbsent("keypipe", k -> new ArrayList<>()).add(System.nanoTime() - start);
            }
            for (int i = 0; i < perRound; i++) {
                times.computeIfAbsent("sealed_cold", k -> new ArrayList<>()).add(coldBringUp(wg, benchSealed));
                long start = System.nanoTime();
                try (Tpm tpm = Tpm.open(SWTPM.tcti()); TpmKeys keys = new TpmKeys(tpm)) {
                    new Sealing(keys).unseal(benchSealed, new byte[0]);
                }
                times.computeIfAbsent("unseal_cold", k -> new ArrayList<>()).add(System.nanoTime() - start);
            }
            persistSrk(); // untimed: a machine that keeps its SRK at 0x81000001, as systemd provisions it
            try {
                for (int i = 0; i < perRound; i++) {
                    times.computeIfAbsent("sealed_cold_srk", k -> new ArrayList<>()).add(coldBringUp(wg, benchSealed));
                }
            } finally {
                evictSrk();
            }
            try (Tpm tpm = Tpm.open(SWTPM.tcti()); TpmKeys keys = new TpmKeys(tpm)) {
                Sealing sealing = new Sealing(keys);
                WireGuardBringUp up = new WireGuardBringUp(sealing, wg);
                resetA(wg);
                up.up(benchSealed, new byte[0], WG_A); // untimed: makes the primary
                for (int i = 0; i < perRound; i++) {
                    resetA(wg);
                    long start = System.nanoTime();
                    up.up(benchSealed, new byte[0], WG_A);
                    times.computeIfAbsent("sealed_warm", k -> new ArrayList<>()).add(System.nanoTime() - start);
                    // the same, step by step
                    resetA(wg);
                    long t0 = System.nanoTime();
                    WireGuardKey key = SealedWireGuardKey.unseal(sealing, benchSealed, new byte[0]);
                    long t1 = System.nanoTime();
                    wg.setPrivateKey(WG_A, key);
                    long t2 = System.nanoTime();
                    wg.linkUp(WG_A);
                    long t3 = System.nanoTime();
                    key.destroy();
                    times.computeIfAbsent("step_unseal_warm", k -> new ArrayList<>()).add(t1 - t0);
                    times.computeIfAbsent("step_wg_set", k -> new ArrayList<>()).add(t2 - t1);
                    times.computeIfAbsent("step_link_up", k -> new ArrayList<>()).add(t3 - t2);
                }
            }
        }
        BenchLine line = new BenchLine("wireguard_up").with("runs", rounds * perRound);
        double keyfile = line.median("keyfile", times.get("keyfile"));
        line.median("keypipe", times.get("keypipe"));
        double cold = line.median("sealed_cold", times.get("sealed_cold"));
        double warm = line.median("sealed_warm", times.get("sealed_warm"));
        double coldSrk = line.median("sealed_cold_srk", times.get("sealed_cold_srk"));
        line.median("unseal_cold", times.get("unseal_cold"));
        for (String step : List.of("step_unseal_warm", "step_wg_set", "step_link_up")) {
            line.median(step, times.get(step));
        }
        line.compare("sealed_cold", cold, keyfile).compare("sealed_cold_srk", coldSrk, keyfile)
                .compare("sealed_warm", warm, keyfile).print();
    }

    /** One bring-up as `tpmauth wireguard up` does it, with a Tpm of its own; returns its nanoseconds. */
    private static long coldBringUp(WgControl wg, Tss2KeyFile sealed) {
        resetA(wg);
        long start = System.nanoTime();
        try (Tpm tpm = Tpm.open(SWTPM.tcti()); TpmKeys keys = new TpmKeys(tpm)) {
            new WireGuardBringUp(new Sealing(keys), wg).up(sealed, new byte[0], WG_A);
        }
        return System.nanoTime() - start;
    }

    /** The standard SRK persisted at 0x81000001 (what `tpm2_createprimary` + `tpm2_evictcontrol` leave). */
    private static void persistSrk() {
        try (Tpm tpm = Tpm.open(SWTPM.tcti())) {
            int srk = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryEcc())).objectHandle();
            tpm.execute(new EvictControl(TpmHandles.RH_OWNER, srk, PERSISTENT_SRK));
        }
    }

    private static void evictSrk() {
        try (Tpm tpm = Tpm.open(SWTPM.tcti())) {
            tpm.execute(EvictControl.evict(TpmHandles.RH_OWNER, PERSISTENT_SRK));
        }
    }

    /** A keyless and down, untimed. */
    private static void resetA(WgControl wg) {
        wg.clearPrivateKey(WG_A);
        wg.linkDown(WG_A);
    }

    private static boolean ping() {
        for (int attempt = 0; attempt < 5; attempt++) { // the first handshake may take a moment
            if (Cli.tool(dir, "ip", "netns", "exec", nsA, "ping", "-c", "1", "-W", "1", "10.232.7.2").code() == 0) {
                return true;
            }
        }
        return false;
    }

    private static Cli.Result tpmauth(String... args) {
        return Cli.tpmauthOn(SWTPM.tcti(), args);
    }

    private static void startWireguardGo(String ns, String iface) throws Exception {
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
