package org.tpmauth.eap.radius;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.eap.EapResult;
import org.tpmauth.eap.EapTestKeys;
import org.tpmauth.eap.EapTlsConfig.TlsVersion;
import org.tpmauth.eap.EapTlsConfig;
import org.tpmauth.eap.EapTlsPeer;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tls.testing.FreeRadius;
import org.tpmauth.tss.keys.KeyAlgorithm;

/**
 * Our peer with TPM keys against FreeRADIUS 3.2 (one server for the class, small EAP fragments from the
 * server): EC and RSA keys, TLS 1.2 and 1.3, our MSK equal to the MS-MPPE keys; a foreign CA rejected;
 * a long chain in small fragments both ways; a wrong shared secret reported clearly.
 */
class FreeRadiusTest {
    private static FreeRadius server;

    @BeforeAll
    static void start() throws Exception {
        EapTestKeys k = EapTestKeys.get();
        server = FreeRadius.start(k.caPem, k.serverCertPem, k.serverKeyPem, 500);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static RadiusEapClient client(String secret) {
        return new RadiusEapClient(server.address(), secret.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(3), 2);
    }

    private static RadiusResult authenticate(TlsIdentity identity, String identityName, EapTlsConfig config)
            throws Exception {
        EapTlsPeer peer = new EapTlsPeer(identityName, identity, EapTestKeys.get().ca(), config);
        return client(server.secret).authenticate(peer, identityName);
    }

    @ParameterizedTest
    @CsvSource({"EC_P256, 1.2", "EC_P256, 1.3", "RSA_2048, 1.2", "RSA_2048, 1.3"})
    void tpmKeyIsAcceptedAndMskMatchesTheServers(KeyAlgorithm algorithm, String version) throws Exception {
        EapTlsConfig config = EapTlsConfig.defaults().withVersions(EnumSet.of(TlsVersion.parse(version)));
        RadiusResult result = authenticate(EapTestKeys.get().tpmClient(algorithm), "device", config);
        assertTrue(result.accepted(), () -> result + "\n" + serverLog());
        EapResult.Success peer = assertInstanceOf(EapResult.Success.class, result.peer());
        assertEquals(TlsVersion.parse(version), peer.keys().version());
        assertArrayEquals(result.serverMsk(), peer.keys().msk(), "our MSK equals MS-MPPE-Recv-Key || MS-MPPE-Send-Key");
        assertTrue(result.success());
    }

    @ParameterizedTest
    @CsvSource({"1.2", "1.3"})
    void foreignCaIsRejected(String version) throws Exception {
        EapTlsConfig config = EapTlsConfig.defaults().withVersions(EnumSet.of(TlsVersion.parse(version)));
        RadiusResult result = authenticate(EapTestKeys.get().foreignClient, "stranger", config);
        assertFalse(result.accepted());
        EapResult.Failure failure = assertInstanceOf(EapResult.Failure.class, result.peer());
        assertTrue(failure.reason().contains("EAP-Failure"), failure.reason());
    }

    @Test
    void longChainInSmallFragments() throws Exception {
        EapTestKeys k = EapTestKeys.get();
        TestPki.Ca deep = k.pki.intermediates(5);
        KeyPair key = TestPki.ecKey();
        TlsIdentity identity = new TlsIdentity(key.getPrivate(), TestPki.chain(deep, key.getPublic(), "deep"));
        RadiusResult result = authenticate(identity, "deep", EapTlsConfig.defaults().withFragmentSize(300));
        assertTrue(result.success(), () -> result + "\n" + serverLog());
    }

    @Test
    void wrongSecretIsReportedClearly() throws Exception {
        EapTlsPeer peer = new EapTlsPeer("device", EapTestKeys.get().tpmClient(KeyAlgorithm.EC_P256),
                EapTestKeys.get().ca(), EapTlsConfig.defaults());
        RadiusEapClient wrong = new RadiusEapClient(server.address(), "not-the-secret".getBytes(StandardCharsets.UTF_8),
                Duration.ofMillis(300), 1);
        Exception e = assertThrows(java.io.IOException.class, () -> wrong.authenticate(peer, "device"));
        assertTrue(e.getMessage().contains("shared secret"), e.getMessage());
    }

    @Test
    void peerRefusesAServerFromAnotherCa() throws Exception {
        EapTlsPeer peer = new EapTlsPeer("device", EapTestKeys.get().tpmClient(KeyAlgorithm.EC_P256),
                List.of(EapTestKeys.get().foreign.root().certificate()), EapTlsConfig.defaults());
        RadiusResult result = client(server.secret).authenticate(peer, "device");
        assertFalse(result.accepted());
        EapResult.Failure failure = assertInstanceOf(EapResult.Failure.class, result.peer());
        assertTrue(failure.reason().contains("not issued by a trusted CA"), failure.reason());
    }

    private static String serverLog() {
        return LoggedProcess.tail(server.log());
    }
}
