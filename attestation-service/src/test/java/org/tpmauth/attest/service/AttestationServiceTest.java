package org.tpmauth.attest.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.attest.client.Enroller;
import org.tpmauth.attest.client.MachineEvidence;
import org.tpmauth.attest.client.Renewer;
import org.tpmauth.attest.client.ServiceClient;
import org.tpmauth.attest.client.ServiceRefusal;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.testing.EkProvisioning;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.PcrExtend;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmtHa;

/**
 * The service end to end with swtpm (EK certificates from swtpm's local CA, a real boot log replayed
 * into its PCRs): enrollment, EST renewal bound to the connection, and every refusal.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AttestationServiceTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    @TempDir
    static Path dir;
    private static ServiceFixture fixture;
    private static EkProvisioning ekCa;
    private static Tpm tpm;
    private static TpmKeys keys;
    private static TpmKey ak;
    private static TpmKey key;
    private static Database db;
    private static AttestationServer server;
    private static ServiceClient client;
    private static Enroller.Result first;

    @BeforeAll
    static void start() throws Exception {
        ekCa = EkProvisioning.manufacture(SWTPM);
        tpm = new Tpm(SWTPM.openTpm().tcti(), true);
        keys = new TpmKeys(tpm);
        fixture = new ServiceFixture(dir);
        fixture.boot(tpm);
        ak = keys.load(AttestationKeys.create(tpm, KeyAlgorithm.EC_P256), null);
        key = keys.load(keys.create(KeyAlgorithm.EC_P256, null, TpmHandles.RH_OWNER), null);
        db = Database.open(dir.resolve("attest").toString());
        server = fixture.start(db, ekCa.caDirectory(), Duration.ofHours(8));
        client = fixture.client(server);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        db.close();
        keys.close();
    }

    private static Enroller.Result enroll() throws Exception {
        return new Enroller(client).enroll(tpm, Enroller.ekCertificate(tpm), key, ak, "default",
                MachineEvidence.DEFAULT_PCRS, fixture.log);
    }

    @Test
    @Order(1)
    void enrollsThenRenewsOverEst() throws Exception {
        Enroller.Result r = enroll();
        first = r;
        X509Certificate cert = r.certificate();
        cert.verify(fixture.ca.certificate().getPublicKey());
        assertEquals(key.publicKey(), cert.getPublicKey());
        assertTrue(cert.getSubjectX500Principal().getName().contains("CN=" + r.device()), cert.getSubjectX500Principal().getName());
        assertEquals(Duration.ofHours(8).plusMinutes(5).toSeconds(),
                Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toSeconds(), 2);
        assertEquals(ak.publicKey(), r.akCertificate().getPublicKey());
        assertTrue(!Renewer.due(cert, Instant.now()) && Renewer.due(cert, Instant.now().plus(Duration.ofHours(6))));

        X509Certificate renewed = new Renewer(client).renew(keys, key, List.of(cert), ak, r.akCertificate(),
                MachineEvidence.DEFAULT_PCRS, fixture.log);
        assertNotEquals(cert.getSerialNumber(), renewed.getSerialNumber());
        assertEquals(cert.getSubjectX500Principal(), renewed.getSubjectX500Principal());
        assertTrue(db.verdicts(r.device()).stream().anyMatch(v -> v.kind().equals("renew") && v.ok()));
    }

    @Test
    @Order(2)
    void replayedTokenIsRefused() throws Exception {
        Enroller enroller = new Enroller(client);
        var ek = Enroller.ekCertificate(tpm);
        Enroller.Challenge challenge = enroller.begin(tpm, ek, key, ak, "default", MachineEvidence.DEFAULT_PCRS, fixture.log);
        byte[] secret = Enroller.activate(tpm, ek, ak, challenge);
        enroller.finish(challenge.token(), secret);
        ServiceRefusal replay = assertThrows(ServiceRefusal.class, () -> enroller.finish(challenge.token(), secret));
        assertTrue(replay.getMessage().contains("FAIL token: this enrollment token was used before"), replay.getMessage());
        String forged = challenge.token().substring(0, 20) + (challenge.token().charAt(20) == 'A' ? 'B' : 'A')
                + challenge.token().substring(21);
        ServiceRefusal altered = assertThrows(ServiceRefusal.class, () -> enroller.finish(forged, secret));
        assertTrue(altered.getMessage().contains("FAIL token: the enrollment token was altered"), altered.getMessage());
    }

    @Test
    @Order(3)
    void akThatIsNotRestrictedIsRefused() throws Exception {
        TpmKey plain = keys.load(TestKeys.unrestrictedAk(tpm), null);
        try {
            ServiceRefusal r = assertThrows(ServiceRefusal.class, () -> new Enroller(client).begin(tpm,
                    Enroller.ekCertificate(tpm), key, plain, "default", MachineEvidence.DEFAULT_PCRS, fixture.log));
            assertTrue(r.getMessage().contains("FAIL ak: the key is not an attestation key"), r.getMessage());
        } finally {
            keys.unload(plain);
        }
    }

    @Test
    @Order(4)
    void keyThatIsNotFixedTpmIsRefused() throws Exception {
        TpmKey movable = keys.load(TestKeys.duplicable(tpm), null);
        try {
            ServiceRefusal r = assertThrows(ServiceRefusal.class, () -> new Enroller(client).begin(tpm,
                    Enroller.ekCertificate(tpm), movable, ak, "default", MachineEvidence.DEFAULT_PCRS, fixture.log));
            assertTrue(r.getMessage().contains("FAIL certify:attributes"), r.getMessage());
        } finally {
            keys.unload(movable);
        }
    }

    @Test
    @Order(5)
    void ekCertificateOfAnotherTpmCannotBeActivated() throws Exception {
        // a valid EK certificate from the same manufacturer, for a key this TPM does not hold
        X509Certificate foreignEk = ekCa.intermediate().issueEk(ServiceFixture.ecKeyPair().getPublic(), 99);
        Enroller enroller = new Enroller(client);
        Enroller.Challenge c = enroller.begin(tpm, foreignEk, key, ak, "default", MachineEvidence.DEFAULT_PCRS, fixture.log);
        assertThrows(RuntimeException.class, () -> Enroller.activate(tpm, foreignEk, ak, c));
        ServiceRefusal r = assertThrows(ServiceRefusal.class, () -> enroller.finish(c.token(), new byte[32]));
        assertTrue(r.getMessage().contains("FAIL activation"), r.getMessage());
    }

    @Test
    @Order(6)
    void ekCertificateFromAForeignRootIsRefused() throws Exception {
        Path foreign = Files.createDirectories(dir.resolve("foreign-roots"));
        Files.writeString(foreign.resolve("root.pem"), Pem.encode(
                org.tpmauth.attestation.testing.TestCa.root("swtpm-localca-rootca").certificate()));
        try (AttestationServer other = fixture.start(db, foreign, Duration.ofHours(8))) {
            ServiceRefusal r = assertThrows(ServiceRefusal.class, () -> new Enroller(fixture.client(other)).begin(tpm,
                    Enroller.ekCertificate(tpm), key, ak, "default", MachineEvidence.DEFAULT_PCRS, fixture.log));
            assertTrue(r.getMessage().contains("FAIL ek-certificate"), r.getMessage());
        }
    }

    @Test
    @Order(7)
    void curlGetsTheCaCertificatesAsPkcs7() throws Exception {
        String pkcs7 = run(Files.createTempFile(dir, "cacerts", ".b64"), "curl", "-sS", "--fail", "--cacert",
                fixture.caPem.toString(), "--resolve", "localhost:" + server.port() + ":127.0.0.1",
                "https://localhost:" + server.port() + "/.well-known/est/cacerts");
        Path der = dir.resolve("cacerts.p7");
        Files.write(der, java.util.Base64.getMimeDecoder().decode(pkcs7));
        String printed = run(Files.createTempFile(dir, "print", ".txt"), "openssl", "pkcs7", "-inform", "DER", "-in",
                der.toString(), "-print_certs", "-noout");
        assertTrue(printed.contains("subject=CN = tpmauth attestation test CA"), printed);
    }

    @Test
    @Order(7)
    void anUnknownPathIsRefusedAndAQueryDoesNotChangeTheRoute() throws Exception {
        String base = "https://localhost:" + server.port();
        String[] curl = {"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", fixture.caPem.toString(),
                "--resolve", "localhost:" + server.port() + ":127.0.0.1"};
        String unknown = run(Files.createTempFile(dir, "unknown", ".txt"), concat(curl, base + "/.well-known/est/nothing"));
        assertEquals("404", unknown);
        String withQuery = run(Files.createTempFile(dir, "query", ".txt"),
                concat(curl, base + "/.well-known/est/cacerts?x=1"));
        assertEquals("200", withQuery, "routed by path, the query left out");
    }

    private static String[] concat(String[] command, String last) {
        String[] all = java.util.Arrays.copyOf(command, command.length + 1);
        all[command.length] = last;
        return all;
    }

    @Test
    @Order(8)
    void plainCsrWithoutEvidenceIsRefusedClearly() throws Exception {
        // a machine with a certificate of this CA, but a software key and a CSR without evidence
        java.security.KeyPair soft = ServiceFixture.ecKeyPair();
        X509Certificate cert = server.verification().ca().issueMachine(soft.getPublic(), "tpm-software", "default");
        Path certPem = Files.writeString(dir.resolve("soft.pem"), Pem.encode(cert));
        Path keyPem = Files.writeString(dir.resolve("soft.key"), "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(soft.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        var csr = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                new org.bouncycastle.asn1.x500.X500Name("CN=tpm-software"), soft.getPublic())
                .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(soft.getPrivate()));
        Path body = Files.writeString(dir.resolve("plain.csr.b64"),
                java.util.Base64.getMimeEncoder().encodeToString(csr.getEncoded()));
        String answer = run(Files.createTempFile(dir, "answer", ".txt"), "curl", "-sS", "-w", "\nHTTP %{http_code}",
                "--cacert", fixture.caPem.toString(), "--cert", certPem.toString(), "--key", keyPem.toString(),
                "--resolve", "localhost:" + server.port() + ":127.0.0.1", "-H", "Content-Type: application/pkcs10",
                "--data-binary", "@" + body, "https://localhost:" + server.port() + "/.well-known/est/simplereenroll");
        assertTrue(answer.contains("FAIL evidence: the certificate request carries no attestation evidence")
                && answer.endsWith("HTTP 400"), answer);
    }

    @Test
    @Order(9)
    void evidenceBoundToTlsIsAcceptedOnItsConnectionAndRefusedOnAnother() throws Exception {
        CertificateAuthority ca = new CertificateAuthority(fixture.ca.key(), fixture.ca.certificate(), Duration.ofHours(1),
                null);
        var identity = new org.tpmauth.tls.bound.TlsIdentity(org.tpmauth.tls.TpmPrivateKey.of(keys, key),
                List.of(ca.issueMachine(key.publicKey(), "tpm-bound", "default")));
        var attester = new org.tpmauth.attest.client.AttestedTlsClient.Attester(tpm, ak,
                ca.issueAk(ak.publicKey(), "tpm-bound", "default"), MachineEvidence.DEFAULT_PCRS, fixture.log);
        var trust = new org.tpmauth.tls.bound.CertificateCheck(List.of(fixture.ca.certificate()));
        var results = new java.util.concurrent.LinkedBlockingQueue<Object>();
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread serverThread = new Thread(() -> {
                for (int i = 0; i < 3; i++) {
                    try (java.net.Socket s = listener.accept()) {
                        try (var c = AttestedTls.accept(s, fixture.serverTls, trust, fixture.refState)) {
                            c.out().write(c.in().read() + 1); // the application's data follows the evidence
                            c.out().flush();
                            results.add("accepted");
                        }
                    } catch (Refusal r) {
                        results.add(r);
                    } catch (Exception e) {
                        results.add(e);
                    }
                }
            });
            serverThread.start();
            int port = listener.getLocalPort();
            try (var c = org.tpmauth.attest.client.AttestedTlsClient.connect(new java.net.Socket("127.0.0.1", port),
                    identity, trust, attester)) {
                c.out().write(41);
                c.out().flush();
                assertEquals(42, c.in().read());
            }
            assertEquals("accepted", results.poll(30, java.util.concurrent.TimeUnit.SECONDS));

            var recorded = new java.util.concurrent.atomic.AtomicReference<com.fasterxml.jackson.databind.node.ObjectNode>();
            try (var c = org.tpmauth.tls.bound.BoundTls.connect(new java.net.Socket("127.0.0.1", port), identity, trust)) {
                recorded.set(attester.frame(c.exporter()));
                EvidenceFrame.write(c.out(), recorded.get());
                assertTrue(EvidenceFrame.read(c.in()).path("ok").asBoolean());
                c.out().write(1);
                c.out().flush();
                c.in().read();
            }
            assertEquals("accepted", results.poll(30, java.util.concurrent.TimeUnit.SECONDS));
            try (var c = org.tpmauth.tls.bound.BoundTls.connect(new java.net.Socket("127.0.0.1", port), identity, trust)) {
                EvidenceFrame.write(c.out(), recorded.get()); // the same evidence on another connection
                var verdict = EvidenceFrame.read(c.in());
                assertTrue(!verdict.path("ok").asBoolean() && verdict.path("verdict").asText().contains("FAIL nonce"),
                        verdict.toString());
            }
            Object refused = results.poll(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(refused instanceof Refusal r && r.getMessage().contains("FAIL nonce"), String.valueOf(refused));
            serverThread.join(10_000);
        }
    }

    @Test
    @Order(11)
    void revokedDeviceIsRefusedAndItsCertificatesAreInTheCrl() throws Exception {
        db.revoke(first.device(), "reported stolen");
        ServiceRefusal refused = assertThrows(ServiceRefusal.class, () -> new Renewer(client).renew(keys, key,
                List.of(first.certificate()), ak, first.akCertificate(), MachineEvidence.DEFAULT_PCRS, fixture.log));
        assertTrue(refused.getMessage().contains("FAIL revoked: device " + first.device() + " is revoked: reported stolen"),
                refused.getMessage());
        String crlUrl = ServiceFixture.crlUrl(first.certificate());
        assertTrue(crlUrl.contains(":" + server.port() + "/crl"), crlUrl);
        Path crl = dir.resolve("crl.der");
        run(Files.createTempFile(dir, "curl", ".txt"), "curl", "-sS", "--fail", "--cacert", fixture.caPem.toString(),
                "--resolve", "localhost:" + server.port() + ":127.0.0.1", "-o", crl.toString(),
                "https://localhost:" + server.port() + "/crl");
        String text = run(Files.createTempFile(dir, "crl", ".txt"), "openssl", "crl", "-inform", "DER", "-in",
                crl.toString(), "-noout", "-text");
        assertTrue(text.toUpperCase().contains(first.certificate().getSerialNumber().toString(16).toUpperCase()), text);
    }

    @Test
    @Order(12)
    void aGroupWithoutReferenceStateIsRefused() throws Exception {
        ServiceRefusal r = assertThrows(ServiceRefusal.class, () -> new Enroller(client).begin(tpm,
                Enroller.ekCertificate(tpm), key, ak, "kiosks", MachineEvidence.DEFAULT_PCRS, fixture.log));
        assertTrue(r.getMessage().contains("FAIL group: the service has no reference state for device group 'kiosks'"),
                r.getMessage());
    }

    /** Runs a program and returns its standard output; fails the test when it fails. */
    private static String run(Path out, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("commands.log").toFile())).start();
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + Files.readString(dir.resolve("commands.log")));
        return Files.readString(out);
    }

    @Test
    @Order(10)
    void renewalAfterAPcrExtendIsRefusedNamingTheRule() throws Exception {
        Enroller.Result r = enroll();
        tpm.execute(new PcrExtend(4, List.of(new TpmtHa(TpmAlg.SHA1, new byte[20]), new TpmtHa(TpmAlg.SHA256, new byte[32]))));
        ServiceRefusal refused = assertThrows(ServiceRefusal.class, () -> new Renewer(client).renew(keys, key,
                List.of(r.certificate()), ak, r.akCertificate(), MachineEvidence.DEFAULT_PCRS, fixture.log));
        assertEquals(403, refused.status());
        assertTrue(refused.getMessage().contains("FAIL replay:sha256:4") && refused.getMessage().contains("FAIL pcr:sha256:4"),
                refused.getMessage());
    }
}
