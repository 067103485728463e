package org.tpmauth.eap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.eap.EapTlsConfig.TlsVersion;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tss.keys.KeyAlgorithm;

/** Our peer (TPM keys) against our authenticator, in memory: both TLS versions, fragmentation, refusals. */
class InMemoryEapTest {
    private static EapTlsConfig config(String version) {
        return EapTlsConfig.defaults().withVersions(EnumSet.of(TlsVersion.parse(version)));
    }

    private static EapTlsAuthenticator authenticator(EapTlsConfig config) throws Exception {
        EapTestKeys k = EapTestKeys.get();
        return new EapTlsAuthenticator(k.server, k.ca(), config, PeerPolicy.ACCEPT_ALL);
    }

    @ParameterizedTest
    @CsvSource({"EC_P256, 1.2", "EC_P256, 1.3", "RSA_2048, 1.2", "RSA_2048, 1.3", "EC_P384, 1.3"})
    void tpmKeyAuthenticates(KeyAlgorithm algorithm, String version) throws Exception {
        EapTestKeys k = EapTestKeys.get();
        EapTlsConfig config = config(version);
        EapTlsAuthenticator authenticator = authenticator(config);
        EapTlsPeer peer = new EapTlsPeer("device", k.tpmClient(algorithm), k.ca(), config);
        InMemoryEap.Outcome outcome = InMemoryEap.run(peer, authenticator);

        EapResult.Success p = assertInstanceOf(EapResult.Success.class, outcome.peer(), outcome::toString);
        EapResult.Success a = assertInstanceOf(EapResult.Success.class, outcome.authenticator(), outcome::toString);
        assertEquals(TlsVersion.parse(version), p.keys().version());
        assertEquals(p.keys(), a.keys(), "both sides derive the same MSK, EMSK, Method-Id and Session-Id");
        assertEquals(64, p.keys().msk().length);
        assertEquals(64, p.keys().emsk().length);
        assertEquals(65, p.keys().sessionId().length);
        assertEquals(0x0D, p.keys().sessionId()[0]);
        assertEquals("device", authenticator.peerIdentity());
        assertEquals("CN=device-" + algorithm.cliName(), a.peerChain().get(0).getSubjectX500Principal().getName());
    }

    @ParameterizedTest
    @CsvSource({"1.2", "1.3"})
    void smallFragmentsCarryALongChain(String version) throws Exception {
        EapTestKeys k = EapTestKeys.get();
        TestPki.Ca deep = k.pki.intermediates(6);
        KeyPair clientKey = TestPki.ecKey();
        TlsIdentity client = new TlsIdentity(clientKey.getPrivate(), TestPki.chain(deep, clientKey.getPublic(),
                "deep"));
        EapTlsConfig config = config(version).withFragmentSize(300);
        List<String> peerSteps = new ArrayList<>();
        EapTlsPeer peer = new EapTlsPeer("deep", client, k.ca(), config).onStep(peerSteps::add);
        InMemoryEap.Outcome outcome = InMemoryEap.run(peer, authenticator(config));

        assertInstanceOf(EapResult.Success.class, outcome.authenticator(), outcome::toString);
        assertInstanceOf(EapResult.Success.class, outcome.peer(), outcome::toString);
        long fragments = peerSteps.stream().filter(s -> s.startsWith("sent") && s.contains(" more")).count();
        assertTrue(fragments >= 6, "the peer's chain went in many fragments: " + fragments);
        assertTrue(peerSteps.stream().filter(s -> s.startsWith("sent EAP RESPONSE")).allMatch(s -> !s.contains("(")
                || Integer.parseInt(s.replaceAll(".*\\((\\d+) bytes\\).*", "$1")) <= 300), "no packet over 300 bytes");
    }

    @ParameterizedTest
    @CsvSource({"1.2", "1.3"})
    void foreignClientIsRejected(String version) throws Exception {
        EapTestKeys k = EapTestKeys.get();
        EapTlsConfig config = config(version);
        EapTlsAuthenticator authenticator = authenticator(config);
        InMemoryEap.Outcome outcome = InMemoryEap.run(new EapTlsPeer("stranger", k.foreignClient, k.ca(), config),
                authenticator);
        EapResult.Failure a = assertInstanceOf(EapResult.Failure.class, outcome.authenticator());
        assertTrue(a.reason().contains("not issued by a trusted CA"), a.reason());
        EapResult.Failure p = assertInstanceOf(EapResult.Failure.class, outcome.peer());
        assertTrue(p.reason().contains("EAP-Failure"), p.reason());
    }

    @ParameterizedTest
    @CsvSource({"1.2", "1.3"})
    void peerRejectsAServerFromAnotherCa(String version) throws Exception {
        EapTestKeys k = EapTestKeys.get();
        EapTlsConfig config = config(version);
        EapTlsPeer peer = new EapTlsPeer("device", k.tpmClient(KeyAlgorithm.EC_P256),
                List.of(k.foreign.root().certificate()), config);
        InMemoryEap.Outcome outcome = InMemoryEap.run(peer, authenticator(config));
        EapResult.Failure p = assertInstanceOf(EapResult.Failure.class, outcome.peer());
        assertTrue(p.reason().contains("server's certificate CN=radius is not issued by a trusted CA"), p.reason());
        EapResult.Failure a = assertInstanceOf(EapResult.Failure.class, outcome.authenticator());
        assertTrue(a.reason().contains("the peer ended TLS with alert"), a.reason());
    }

    @Test
    void policyRefusesAPeer() throws Exception {
        EapTestKeys k = EapTestKeys.get();
        EapTlsConfig config = config("1.3");
        EapTlsAuthenticator authenticator = new EapTlsAuthenticator(k.server, k.ca(), config,
                (identity, chain) -> identity.equals("device") ? "not on the allow list" : null);
        InMemoryEap.Outcome outcome = InMemoryEap.run(
                new EapTlsPeer("device", k.tpmClient(KeyAlgorithm.EC_P256), k.ca(), config), authenticator);
        EapResult.Failure a = assertInstanceOf(EapResult.Failure.class, outcome.authenticator());
        assertTrue(a.reason().contains("not on the allow list"), a.reason());
        assertInstanceOf(EapResult.Failure.class, outcome.peer());
    }

    @Test
    void versionMismatchFails() throws Exception {
        EapTestKeys k = EapTestKeys.get();
        InMemoryEap.Outcome outcome = InMemoryEap.run(
                new EapTlsPeer("device", k.tpmClient(KeyAlgorithm.EC_P256), k.ca(), config("1.2")),
                authenticator(config("1.3")));
        assertInstanceOf(EapResult.Failure.class, outcome.authenticator());
        assertInstanceOf(EapResult.Failure.class, outcome.peer());
    }

    @Test
    void keysDifferPerAuthentication() throws Exception {
        EapTestKeys k = EapTestKeys.get();
        EapTlsConfig config = config("1.3");
        byte[][] msks = new byte[2][];
        for (int i = 0; i < 2; i++) {
            InMemoryEap.Outcome o = InMemoryEap.run(
                    new EapTlsPeer("device", k.tpmClient(KeyAlgorithm.EC_P256), k.ca(), config), authenticator(config));
            msks[i] = ((EapResult.Success) o.peer()).keys().msk();
        }
        assertTrue(!java.util.Arrays.equals(msks[0], msks[1]));
        assertArrayEquals(msks[0], msks[0].clone());
    }
}
