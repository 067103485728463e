package org.tpmauth.eap.radius;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import org.tpmauth.eap.EapTestKeys;
import org.tpmauth.eap.EapTlsConfig.TlsVersion;
import org.tpmauth.eap.EapTlsConfig;
import org.tpmauth.eap.EapTlsPeer;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tls.testing.FreeRadius;
import org.tpmauth.tls.testing.WpaSupplicant;
import org.tpmauth.tss.keys.KeyAlgorithm;

/**
 * A benchmark, not a test: EAP-TLS authentications per second and the median time of one, our peer against
 * FreeRADIUS 3.2 on loopback (started here as a production server runs: thread pool, normal logging, no
 * {@code -X}), one at a time; TPM key (P-256 on the in-process libtpms) against a software P-256 key, TLS
 * 1.2 and 1.3, and beside them
 * eapol_test (wpa_supplicant's RADIUS test client, one process per authentication, as people run it) with
 * the same software key. Every authentication counts only when accepted (ours with our MSK equal to the
 * server's, eapol_test's with exit status 0).
 *
 * <p>Run as the README's EAP-TLS section says. Prints {@code name auths_per_s median_ms}.
 */
public final class EapRadiusBench {
    private EapRadiusBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        EapTestKeys k = EapTestKeys.get();
        KeyPair software = TestPki.ecKey();
        TlsIdentity softwareKey = new TlsIdentity(software.getPrivate(),
                TestPki.chain(k.pki.root(), software.getPublic(), "software"));
        TlsIdentity tpmKey = k.tpmClient(KeyAlgorithm.EC_P256);
        try (FreeRadius server = FreeRadius.start(k.caPem, k.serverCertPem, k.serverKeyPem, 1024,
                FreeRadius.Mode.PRODUCTION)) {
            RadiusEapClient client = new RadiusEapClient(server.address(),
                    server.secret.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(3), 1);
            System.out.println("name auths_per_s median_ms");
            Path dir = Files.createTempDirectory("tpmauth-eap-bench");
            Path cert = TestPki.writePem(dir.resolve("software.crt.pem"), softwareKey.chain());
            Path key = TestPki.writePem(dir.resolve("software.key.pem"), software.getPrivate());
            for (TlsVersion version : TlsVersion.values()) {
                EapTlsConfig config = EapTlsConfig.defaults().withVersions(EnumSet.of(version));
                run("software_key_tls" + version.label, softwareKey, config, client, seconds);
                run("tpm_key_tls" + version.label, tpmKey, config, client, seconds);
                Path conf = Files.writeString(dir.resolve("eapol-" + version.label + ".conf"),
                        WpaSupplicant.config("", "bench", k.caPem, WpaSupplicant.fileCredentials(cert, key),
                                version.label));
                List<String> eapolTest = List.of("eapol_test", "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                        String.valueOf(server.port), "-s", server.secret);
                time("eapol_test_software_key_tls" + version.label, seconds, () -> eapolTest(eapolTest, dir));
            }
        }
        System.exit(0);
    }

    /** One authentication, throwing when it is not accepted. */
    private interface Authentication {
        void run() throws Exception;
    }

    private static void run(String name, TlsIdentity identity, EapTlsConfig config, RadiusEapClient client,
            int seconds) throws Exception {
        time(name, seconds, () -> once(identity, config, client));
    }

    private static void eapolTest(List<String> command, Path dir) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("eapol_test failed: " + String.join(" ", command));
        }
    }

    /** Warms up, then runs {@code auth} for {@code seconds}; prints the rate and the median time of one. */
    private static void time(String name, int seconds, Authentication auth) throws Exception {
        for (int i = 0; i < 5; i++) {
            auth.run();
        }
        List<Long> times = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            auth.run();
            times.add(System.nanoTime() - t);
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Collections.sort(times);
        System.out.printf("%s %.1f %.2f%n", name, times.size() / elapsed, times.get(times.size() / 2) / 1e6);
    }

    private static void once(TlsIdentity identity, EapTlsConfig config, RadiusEapClient client) throws Exception {
        EapTlsPeer peer = new EapTlsPeer("bench", identity, EapTestKeys.get().ca(), config);
        RadiusResult result = client.authenticate(peer, "bench");
        if (!result.success()) {
            throw new IllegalStateException("authentication failed: " + result);
        }
    }
}
