package org.tpmauth.attest.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.attest.client.Enroller;
import org.tpmauth.attest.client.MachineEvidence;
import org.tpmauth.attest.client.ServiceRefusal;
import org.tpmauth.attest.testing.PostgresServer;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.testing.EkProvisioning;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmHandles;

/**
 * Two service instances, each with its own database connection, on one real PostgreSQL server: an
 * enrollment begun on one finishes on the other (the token key is shared through the database), and
 * the token cannot be used again on either.
 */
class TwoInstancesTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    @TempDir
    static Path dir;
    private static PostgresServer postgres;
    private static ServiceFixture fixture;
    private static EkProvisioning ekCa;
    private static Tpm tpm;
    private static TpmKeys keys;

    @BeforeAll
    static void start() {
        postgres = new PostgresServer();
        ekCa = EkProvisioning.manufacture(SWTPM);
        tpm = new Tpm(SWTPM.openTpm().tcti(), true);
        keys = new TpmKeys(tpm);
        fixture = new ServiceFixture(dir);
        fixture.boot(tpm);
    }

    @AfterAll
    static void stop() {
        keys.close();
        postgres.close();
    }

    @Test
    void enrollmentBegunOnOneInstanceFinishesOnTheOther() throws Exception {
        TpmKey ak = keys.load(AttestationKeys.create(tpm, KeyAlgorithm.EC_P256), null);
        TpmKey key = keys.load(keys.create(KeyAlgorithm.EC_P256, null, TpmHandles.RH_OWNER), null);
        try (Database dbA = Database.open(postgres.url()); Database dbB = Database.open(postgres.url());
                AttestationServer a = fixture.start(dbA, ekCa.caDirectory(), Duration.ofHours(1));
                AttestationServer b = fixture.start(dbB, ekCa.caDirectory(), Duration.ofHours(1))) {
            var ek = Enroller.ekCertificate(tpm);
            Enroller onA = new Enroller(fixture.client(a));
            Enroller onB = new Enroller(fixture.client(b));
            Enroller.Challenge challenge = onA.begin(tpm, ek, key, ak, "default", MachineEvidence.DEFAULT_PCRS, fixture.log);
            byte[] secret = Enroller.activate(tpm, ek, ak, challenge);
            Enroller.Result result = onB.finish(challenge.token(), secret);
            assertEquals(key.publicKey(), result.certificate().getPublicKey());
            ServiceRefusal replay = assertThrows(ServiceRefusal.class, () -> onA.finish(challenge.token(), secret));
            assertTrue(replay.getMessage().contains("used before"), replay.getMessage());
            // both instances recorded into the one database
            var verdicts = dbA.verdicts(result.device());
            assertTrue(verdicts.stream().anyMatch(v -> v.kind().equals("enroll") && v.ok()), verdicts.toString());
            assertTrue(verdicts.stream().anyMatch(v -> v.kind().equals("activate") && v.ok()), verdicts.toString());
        }
    }
}
