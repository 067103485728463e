package org.tpmauth.attest.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tpmauth.attest.testing.PostgresServer;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attestation.testing.TestCa;

/** The operator page's queries ({@link Database#machines()}, {@link Database#machine}) on H2 and PostgreSQL. */
class DatabaseMachinesTest {
    @TempDir
    static Path dir;
    private static PostgresServer postgres;

    @BeforeAll
    static void start() {
        postgres = new PostgresServer();
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void eachMachineWithItsLastVerdictNewestCertificateAndFirstRevocation(String kind) throws Exception {
        try (Database db = Database.open(kind.equals("h2") ? dir.resolve("machines").toString() : postgres.url())) {
            TestCa ca = TestCa.root("test");
            CertificateAuthority short1 = new CertificateAuthority(ca.key(), ca.certificate(), Duration.ofHours(1), null);
            CertificateAuthority long8 = new CertificateAuthority(ca.key(), ca.certificate(), Duration.ofHours(8), null);
            var key = ServiceFixture.ecKeyPair().getPublic();
            db.recordVerdict("tpm-b", "enroll", true, "");
            db.recordVerdict("tpm-b", "activate", true, "");
            db.recordCertificate("tpm-b", "machine", short1.issueMachine(key, "tpm-b", "default"));
            db.recordCertificate("tpm-b", "machine", long8.issueMachine(key, "tpm-b", "default"));
            db.recordCertificate("tpm-b", "ak", short1.issueAk(key, "tpm-b", "default")); // valid as long as the CA
            db.recordVerdict("tpm-b", "renew", false, "FAIL pcr:sha256:4: PCR 4 ...\n");
            db.revoke("tpm-b", "first reason");
            db.revoke("tpm-b", "second reason");
            db.recordVerdict("tpm-a", "enroll", false, "FAIL ek-certificate: unknown issuer\n");

            List<Database.Machine> machines = db.machines();
            assertEquals(List.of("tpm-a", "tpm-b"), machines.stream().map(Database.Machine::device).toList());
            Database.Machine a = machines.get(0);
            assertNull(a.certificateExpiry(), "never enrolled: no certificate");
            assertNull(a.revocation());
            assertEquals("enroll", a.last().kind());
            Database.Machine b = db.machine("tpm-b").orElseThrow();
            assertEquals("renew", b.last().kind());
            assertTrue(!b.last().ok() && b.last().failures().startsWith("FAIL pcr:sha256:4"));
            Duration left = Duration.between(Instant.now(), b.certificateExpiry());
            assertTrue(left.compareTo(Duration.ofHours(7)) > 0 && left.compareTo(Duration.ofHours(9)) < 0, left.toString());
            assertEquals("first reason", b.revocation().reason());
            assertTrue(db.machine("tpm-none").isEmpty());
        }
    }
}
