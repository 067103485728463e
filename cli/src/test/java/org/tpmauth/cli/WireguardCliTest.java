package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
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

    private static final int PERSISTENT_SRK = 0x81000001;
    private static WireguardPair pair;
    private static String nsA;
    private static String WG_A;
    private static Path sealed;
    private static String publicA;

    @BeforeAll
    static void network() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        pair = WireguardPair.start(dir);
        nsA = pair.nsA;
        WG_A = pair.wgA;
        sealed = dir.resolve("a.sealed");
        publicA = tpmauth("wireguard", "seal", "--out", sealed.toString(), "--pcr-policy", "sha256:16").succeeded()
                .out().strip();
        assertEquals(publicA, tpmauth("wireguard", "pubkey", "--sealed", sealed.toString()).ok().out().strip());
        pair.connect(publicA);
    }

    @AfterAll
    static void teardown() {
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    @Order(1)
    void upUnsealsIntoTheInterfaceAndTheTunnelCarriesAPing() throws Exception {
        Cli.Result up = tpmauth("wireguard", "up", "--sealed", sealed.toString(), "--interface", WG_A, "--netns", nsA)
                .ok();
        assertEquals(WG_A + " is up with public key " + publicA, up.out().strip());
        assertEquals(publicA, pair.publicKeyA());
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
        assertTrue(pair.keylessA(), "no private key");
        assertFalse(pair.linkUpA(), "link is down");
        assertFalse(ping());
    }

    /** Runs while the key still unseals (before the PCR extend): wg set is what finds no interface. */
    @Test
    @Order(3)
    void aMissingInterfaceIsNamed() {
        String error = tpmauth("wireguard", "up", "--sealed", sealed.toString(), "--interface", "no" + WG_A,
                "--netns", nsA).fails();
        assertTrue(error.contains("no WireGuard interface 'no" + WG_A + "'"), error);
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
        pair.peerB(publicKey);
        Path before = dir.resolve("before.sig");
        tpmauth("policy", "sign", "--signer", signer.toString(), "--pcrs", "sha256:16", "--out", before.toString()).ok();
        tpmauth("wireguard", "up", "--sealed", authorized.toString(), "--interface", WG_A, "--netns", nsA,
                "--policy-signature", before.toString()).ok();
        assertTrue(ping(), "ping with the authorized key");

        Tools.run(SWTPM, "tpm2_pcrextend", "16:sha256=" + "cd".repeat(32));
        String error = tpmauth("wireguard", "up", "--sealed", authorized.toString(), "--interface", WG_A, "--netns",
                nsA, "--policy-signature", before.toString()).fails();
        assertTrue(error.contains("stays sealed") && error.contains("PolicyPCR"), error);
        assertTrue(pair.keylessA(), "no private key");
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
                pair.resetA();
                long start = System.nanoTime();
                sh("ip", "netns", "exec", nsA, "wg", "set", WG_A, "private-key", keyFile.toString());
                sh("ip", "-n", nsA, "link", "set", "dev", WG_A, "up");
                times.computeIfAbsent("keyfile", k -> new ArrayList<>()).add(System.nanoTime() - start);
            }
            for (int i = 0; i < perRound; i++) { // what WgControl adds: the key through a pipe
                pair.resetA();
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
                pair.resetA();
                up.up(benchSealed, new byte[0], WG_A); // untimed: makes the primary
                for (int i = 0; i < perRound; i++) {
                    pair.resetA();
                    long start = System.nanoTime();
                    up.up(benchSealed, new byte[0], WG_A);
                    times.computeIfAbsent("sealed_warm", k -> new ArrayList<>()).add(System.nanoTime() - start);
                    // the same, step by step
                    pair.resetA();
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
        pair.resetA();
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

    private static boolean ping() {
        return pair.ping();
    }

    private static Cli.Result tpmauth(String... args) {
        return Cli.tpmauthOn(SWTPM.tcti(), args);
    }

    private static String sh(String... command) {
        return pair.sh(command);
    }
}
