package org.tpmauth.eap.eapol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.eap.EapResult;
import org.tpmauth.eap.EapTestKeys;
import org.tpmauth.eap.EapTlsAuthenticator;
import org.tpmauth.eap.EapTlsConfig.TlsVersion;
import org.tpmauth.eap.EapTlsConfig;
import org.tpmauth.eap.EapTlsPeer;
import org.tpmauth.eap.PeerPolicy;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tls.testing.FreeRadius;
import org.tpmauth.tls.testing.Hostapd;
import org.tpmauth.tls.testing.VethPair;
import org.tpmauth.tls.testing.WpaSupplicant;
import org.tpmauth.tss.keys.KeyAlgorithm;

/**
 * EAPOL over a veth pair between two network namespaces: our supplicant (TPM keys) against hostapd
 * (driver=wired, integrated EAP server), TLS 1.2 and 1.3 and a foreign CA; through hostapd to FreeRADIUS
 * (both in the authenticator's namespace); then our authenticator against
 * wpa_supplicant -D wired with a software key.
 */
class EapolTest {
    @TempDir
    static Path dir;


    private static VethPair veth;

    @BeforeAll
    static void network() throws Exception {
        veth = VethPair.create();
    }

    @AfterAll
    static void cleanUp() {
        if (veth != null) {
            veth.close();
        }
    }

    private static EapResult supplicant(TlsIdentity identity, EapTlsConfig config) throws Exception {
        EapTestKeys k = EapTestKeys.get();
        try (EthernetSocket socket = EthernetSocket.open(VethPair.B_IF, veth.b)) {
            return new EapolSupplicant(socket, () -> new EapTlsPeer("device", identity, k.ca(), config), s -> { })
                    .authenticate(Duration.ofSeconds(20));
        }
    }

    @ParameterizedTest
    @CsvSource({"EC_P256, 1.3, false", "RSA_2048, 1.2, false", "EC_P256, 1.3, true"})
    void ourSupplicantAgainstHostapd(KeyAlgorithm algorithm, String version, boolean foreign) throws Exception {
        EapTestKeys k = EapTestKeys.get();
        EapTlsConfig config = EapTlsConfig.defaults().withVersions(EnumSet.of(TlsVersion.parse(version)));
        try (Hostapd hostapd = Hostapd.start(veth.a, VethPair.A_IF, k.caPem, k.serverCertPem, k.serverKeyPem)) {
            EapResult result = supplicant(foreign ? k.foreignClient : k.tpmClient(algorithm), config);
            if (foreign) {
                assertInstanceOf(EapResult.Failure.class, result);
                assertTrue(!hostapd.log().contains(Hostapd.AUTHORIZED), () -> LoggedProcess.tail(hostapd.log()));
                return;
            }
            EapResult.Success success = assertInstanceOf(EapResult.Success.class, result, () -> result + "\n"
                    + LoggedProcess.tail(hostapd.log()));
            assertEquals(TlsVersion.parse(version), success.keys().version());
            hostapd.await(log -> log.contains(Hostapd.AUTHORIZED) && log.contains("CTRL-EVENT-EAP-SUCCESS"),
                    Duration.ofSeconds(10), "EAP success and an authorized port");
        }
    }

    @Test
    void ourSupplicantThroughHostapdToFreeRadius() throws Exception {
        EapTestKeys k = EapTestKeys.get();
        try (FreeRadius radius = FreeRadius.start(k.caPem, k.serverCertPem, k.serverKeyPem, 1024, veth.a);
             Hostapd hostapd = Hostapd.startWithRadius(veth.a, VethPair.A_IF, radius.port, radius.secret)) {
            EapResult result = supplicant(k.tpmClient(KeyAlgorithm.EC_P256), EapTlsConfig.defaults());
            assertInstanceOf(EapResult.Success.class, result, () -> result + "\n" + LoggedProcess.tail(hostapd.log()));
            hostapd.awaitAuthorized();
            assertTrue(radius.log().contains("Sent Access-Accept"), () -> "FreeRADIUS did not accept");
        }
    }

    @Test
    void wpaSupplicantAgainstOurAuthenticator() throws Exception {
        EapTestKeys k = EapTestKeys.get();
        CompletableFuture<EapolAuthenticator.Verdict> verdict = new CompletableFuture<>();
        try (EthernetSocket socket = EthernetSocket.open(VethPair.A_IF, veth.a)) {
            Thread server = new Thread(() -> {
                try {
                    new EapolAuthenticator(socket, () -> new EapTlsAuthenticator(k.server, k.ca(),
                            EapTlsConfig.defaults(), PeerPolicy.ACCEPT_ALL), s -> { }).serve(1, verdict::complete);
                } catch (Exception e) {
                    verdict.completeExceptionally(e);
                }
            });
            server.start();
            try (LoggedProcess wpa = EapTestKeys.get().wpaSupplicant(dir, veth.b, VethPair.B_IF, "wpa-client")) {
                wpa.await(log -> log.contains(WpaSupplicant.SUCCESS) && log.contains("SUPP_PAE entering state AUTHENTICATED"),
                        Duration.ofSeconds(30), "EAP success");
                EapolAuthenticator.Verdict v = verdict.get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(v.authorized(), v::toString);
                assertEquals("wpa-client", v.identity());
            } finally {
                server.interrupt();
                server.join(5000);
            }
        }
    }

    @Test
    void missingInterfaceIsAClearError() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> EthernetSocket.open("nosuchif0", veth.a));
        assertTrue(e.getMessage().contains("no network interface nosuchif0"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> EthernetSocket.open("eth0", "no-such-namespace"));
        assertTrue(e.getMessage().contains("no network namespace"), e.getMessage());
    }
}
