package org.tpmauth.attest.service;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.attest.client.Enroller;
import org.tpmauth.attest.client.MachineEvidence;
import org.tpmauth.attest.client.Renewer;
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
 * Service speed, with the embedded database and with PostgreSQL: (1) renewals end to end over EST
 * (TLS with the current certificate, certify + quote on swtpm, the boot log replayed, the reference
 * state, signing, database writes), one machine after another; (2) the service's own work per renewal
 * (evidence check, signing, database writes) on two threads, which is what bounds a server whose
 * machines each bring their own TPM; (3) median enrollment time of a fresh key and AK. A measurement,
 * not a test. Run with {@code mvn -pl attestation-service -am test -Dtpmauth.bench=true
 * -Dtest=AttestationServiceBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "tpmauth.bench", matches = "true")
class AttestationServiceBenchmark {
    private static final int RENEWALS = 100;
    private static final int SERVICE_WORK = 3000;
    private static final int ENROLLMENTS = 20;
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    @TempDir
    static Path dir;

    @Test
    void renewalsPerSecondAndEnrollmentTime() throws Exception {
        EkProvisioning ekCa = EkProvisioning.manufacture(SWTPM);
        ServiceFixture fixture = new ServiceFixture(dir);
        try (Tpm tpm = new Tpm(SWTPM.openTpm().tcti(), true); TpmKeys keys = new TpmKeys(tpm);
                PostgresServer postgres = new PostgresServer()) {
            fixture.boot(tpm);
            System.out.printf("boot log: %d events, %d bytes; cores: %d%n", fixture.parsedLog.events().size(),
                    fixture.log.length, Runtime.getRuntime().availableProcessors());
            for (String db : List.of(dir.resolve("bench").toString(), postgres.url())) {
                String name = db.startsWith("jdbc:") ? "PostgreSQL" : "embedded H2";
                try (Database database = Database.open(db);
                        AttestationServer server = fixture.start(database, ekCa.caDirectory(), Duration.ofHours(8))) {
                    measure(name, fixture, server, tpm, keys, database);
                }
            }
        }
    }

    private static void measure(String name, ServiceFixture fixture, AttestationServer server, Tpm tpm, TpmKeys keys,
            Database database) throws Exception {
        var client = fixture.client(server);
        X509Certificate ek = Enroller.ekCertificate(tpm);
        List<Long> enrollNanos = new ArrayList<>();
        TpmKey ak = null;
        TpmKey key = null;
        Enroller.Result enrolled = null;
        for (int i = 0; i < ENROLLMENTS; i++) {
            if (ak != null) {
                keys.unload(ak);
                keys.unload(key);
            }
            ak = keys.load(AttestationKeys.create(tpm, KeyAlgorithm.EC_P256), null);
            key = keys.load(keys.create(KeyAlgorithm.EC_P256, null, TpmHandles.RH_OWNER), null);
            long t = System.nanoTime();
            enrolled = new Enroller(client).enroll(tpm, ek, key, ak, "default", MachineEvidence.DEFAULT_PCRS, fixture.log);
            enrollNanos.add(System.nanoTime() - t);
        }
        Renewer renewer = new Renewer(client);
        List<X509Certificate> current = List.of(enrolled.certificate());
        for (int i = 0; i < 10; i++) {
            current = List.of(renewer.renew(keys, key, current, ak, enrolled.akCertificate(), MachineEvidence.DEFAULT_PCRS,
                    fixture.log));
        }
        List<Long> renewNanos = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < RENEWALS; i++) {
            long t = System.nanoTime();
            current = List.of(renewer.renew(keys, key, current, ak, enrolled.akCertificate(), MachineEvidence.DEFAULT_PCRS,
                    fixture.log));
            renewNanos.add(System.nanoTime() - t);
        }
        double endToEnd = RENEWALS / ((System.nanoTime() - start) / 1e9);

        // the service's work per renewal on two threads, with one real piece of evidence
        byte[] nonce = new byte[32];
        KeyEvidence evidence = MachineEvidence.collect(tpm, key, ak, nonce, MachineEvidence.DEFAULT_PCRS, fixture.log);
        Verification v = server.verification();
        var akPublic = CertificateAuthority.akPublicArea(enrolled.akCertificate());
        Runnable work = () -> {
            try {
                var failures = v.judge(akPublic, KeyEvidence.fromJson(evidence.toJson()), nonce, "default");
                assertTrue(failures.isEmpty(), failures.toString());
                X509Certificate c = v.ca().issueMachine(evidence.keyPublic().toPublicKey(), "tpm-bench", "default");
                database.recordVerdict("tpm-bench", "renew", true, "");
                database.recordCertificate("tpm-bench", "machine", c);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        for (int i = 0; i < 300; i++) {
            work.run();
        }
        ExecutorService two = Executors.newFixedThreadPool(2);
        long s = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < SERVICE_WORK; i++) {
            done.add(two.submit(work));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double serviceRate = SERVICE_WORK / ((System.nanoTime() - s) / 1e9);
        two.shutdown();
        System.out.printf("%s: enrollment median %.1f ms (of %d); renewal over EST end to end median %.1f ms, %.1f/s "
                + "one machine at a time (swtpm certify + quote included); service work per renewal on 2 threads: "
                + "%.0f/s%n", name, median(enrollNanos), ENROLLMENTS, median(renewNanos), endToEnd, serviceRate);
    }

    private static double median(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2) / 1e6;
    }
}
