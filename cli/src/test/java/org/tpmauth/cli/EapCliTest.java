package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.eap.EapTestKeys;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tls.testing.FreeRadius;
import org.tpmauth.tls.testing.Hostapd;
import org.tpmauth.tls.testing.VethPair;
import org.tpmauth.tls.testing.WpaSupplicant;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * {@code tpmauth eap radius} with TPM keys (made by {@code key create} and {@code csr} on swtpm, certified by
 * the test CA) against FreeRADIUS 3.2: accepted with TLS 1.2 and 1.3 and the MSK printed and checked;
 * a certificate from a foreign CA rejected with exit 1. {@code tpmauth eap wired} against hostapd (driver=wired)
 * and {@code tpmauth eap authenticator} against wpa_supplicant -D wired, across a veth pair between two
 * network namespaces.
 */
class EapCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    private static FreeRadius server;
    private static Path secretFile;
    private static VethPair veth;
    private static Hostapd hostapd;

    @BeforeAll
    static void start() throws Exception {
        SWTPM.disconnect();
        EapTestKeys k = EapTestKeys.get();
        server = FreeRadius.start(k.caPem, k.serverCertPem, k.serverKeyPem, 1024);
        secretFile = Files.writeString(dir.resolve("secret"), server.secret + "\n");
        veth = VethPair.create();
        hostapd = Hostapd.start(veth.a, VethPair.A_IF, k.caPem, k.serverCertPem, k.serverKeyPem);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {server, hostapd, veth}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort: the namespaces are removed by veth.close()
            }
        }
    }

    /** A TPM key of {@code type} and its certificate from the test CA, or from the foreign CA. */
    private static Path[] keyAndCert(String type, boolean foreign) throws Exception {
        Path key = dir.resolve(type + foreign + ".key.pem");
        Path csr = dir.resolve(type + foreign + ".csr");
        Cli.tpmauthOn(SWTPM.tcti(), "key", "create", "--type", type, "--out", key.toString(), "--force").ok();
        Cli.tpmauthOn(SWTPM.tcti(), "csr", "--key", key.toString(), "--subject", "CN=device-" + type, "--out",
                csr.toString()).ok();
        PublicKey publicKey;
        try (Reader r = Files.newBufferedReader(csr); PEMParser p = new PEMParser(r)) {
            publicKey = new JcaPKCS10CertificationRequest(
                    (org.bouncycastle.pkcs.PKCS10CertificationRequest) p.readObject()).getPublicKey();
        }
        EapTestKeys k = EapTestKeys.get();
        Path cert = TestPki.writePem(dir.resolve(type + foreign + ".crt.pem"),
                TestPki.chain(foreign ? k.foreign.root() : k.pki.root(), publicKey, "device-" + type));
        return new Path[] {key, cert};
    }

    private static Cli.Result radius(Path[] keyAndCert, String... extra) throws Exception {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("eap", "radius",
                "--server", "127.0.0.1:" + server.port, "--secret-file", secretFile.toString(), "--identity", "device",
                "--key", keyAndCert[0].toString(), "--cert", keyAndCert[1].toString(),
                "--ca", EapTestKeys.get().caPem.toString()));
        args.addAll(java.util.List.of(extra));
        return Cli.tpmauthOn(SWTPM.tcti(), args.toArray(String[]::new));
    }

    @ParameterizedTest
    @CsvSource({"ec-p256, 1.3", "rsa-2048, 1.2"})
    void acceptedWithTheMskPrinted(String type, String tls) throws Exception {
        Cli.Result r = radius(keyAndCert(type, false), "--tls", tls).ok();
        assertTrue(r.out().contains("radius: received Access-Challenge"), r::toString);
        assertTrue(r.out().contains("eap: authenticated: TLS " + tls), r::toString);
        assertTrue(r.out().contains("result: Access-Accept"), r::toString);
        assertTrue(r.out().contains("tls: " + tls), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.matches("msk: [0-9a-f]{128}")), r::toString);
        assertTrue(r.out().contains("msk matches server: yes"), r::toString);
    }

    @Test
    void foreignCaIsRejectedWithExit1() throws Exception {
        Cli.Result r = radius(keyAndCert("ec-p256", true));
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.out().contains("result: Access-Reject"), r::toString);
        assertTrue(r.out().contains("reason: the authenticator sent EAP-Failure"), r::toString);
    }

    @Test
    void missingSecretFileIsAClearError() throws Exception {
        String err = Cli.tpmauthOn(SWTPM.tcti(), "eap", "radius", "--server", "127.0.0.1:1", "--secret-file",
                dir.resolve("nope").toString(), "--identity", "x", "--key", "k", "--cert", "c", "--ca", "a").fails();
        assertTrue(err.contains("cannot read the secret file"), err);
    }

    private static Cli.Result wired(Path[] keyAndCert, String tls) throws Exception {
        return Cli.tpmauthOn(SWTPM.tcti(), "eap", "wired", "--interface", VethPair.B_IF, "--netns", veth.b,
                "--identity", "device", "--key", keyAndCert[0].toString(), "--cert", keyAndCert[1].toString(),
                "--ca", EapTestKeys.get().caPem.toString(), "--tls", tls, "--timeout", "20");
    }

    @Test
    void wiredReachesAuthorizedAtHostapd() throws Exception {
        Cli.Result r = wired(keyAndCert("ec-p256", false), "1.3").ok();
        assertTrue(r.out().contains("eapol: sent EAPOL-Start"), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.equals("Authorized")), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.matches("msk: [0-9a-f]{128}")), r::toString);
        hostapd.awaitAuthorized();
    }

    @Test
    void wiredWithForeignCertificateStaysUnauthorized() throws Exception {
        Cli.Result r = wired(keyAndCert("ec-p256", true), "1.2");
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.equals("Unauthorized")), r::toString);
    }

    @Test
    void authenticatorLetsWpaSupplicantIn() throws Exception {
        // our authenticator takes hostapd's place on the A side for this test
        hostapd.close();
        hostapd = null;
        EapTestKeys k = EapTestKeys.get();
        java.util.concurrent.CompletableFuture<Cli.Result> run = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Cli.tpmauth("eap", "authenticator", "--interface", VethPair.A_IF, "--netns", veth.a,
                        "--ca", k.caPem.toString(), "--cert", k.serverCertPem.toString(), "--key", k.serverKeyPem.toString(),
                        "--count", "1"));
        try (LoggedProcess wpa = EapTestKeys.get().wpaSupplicant(dir, veth.b, VethPair.B_IF, "wpa-client")) {
            Cli.Result r = run.get(40, java.util.concurrent.TimeUnit.SECONDS).ok();
            assertTrue(r.out().contains("authorized ") && r.out().contains(" wpa-client"), r::toString);
            wpa.await(log -> log.contains(WpaSupplicant.SUCCESS), java.time.Duration.ofSeconds(10), "EAP success");
        } finally {
            hostapd = Hostapd.start(veth.a, VethPair.A_IF, k.caPem, k.serverCertPem, k.serverKeyPem);
        }
    }
}
