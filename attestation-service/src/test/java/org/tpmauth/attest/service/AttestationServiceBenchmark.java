package org.tpmauth.attest.service;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.attest.client.Enroller;
import org.tpmauth.attest.client.MachineEvidence;
import org.tpmauth.attest.client.Renewer;
import org.tpmauth.attest.testing.PostgresServer;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attest.testing.ServiceProcess;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.quote.ChannelBinding;
import org.tpmauth.attestation.testing.RealLogs;
import org.tpmauth.attestation.testing.EkProvisioning;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmHandles;

/**
 * Service speed with a 1,000-event boot log, with the embedded database and with PostgreSQL: (1) renewals
 * end to end over EST (TLS with the current certificate, certify + quote on swtpm, the boot log replayed,
 * the reference state, signing, the database write), one machine after another; (2) the service's own
 * work per renewal (EST body and CSR decoded and checked, evidence judged, signing, the database write)
 * on the server's worker pool, which is what bounds a server whose machines each bring their own TPM,
 * with the evidence statement in CBOR and in JSON taking turns; (3) median enrollment time of a fresh
 * key and AK; (4) renewals as the issue counts them, several machines at once, TLS handshake and the body
 * through the service's TLS front end included, with the service (in a process of its own) timed by its CPU
 * per renewal ({@link #throughTls}).
 * A measurement,
 * not a test. Run with {@code mvn -pl attestation-service -am test -Dtpmauth.bench=true
 * -Dtest=AttestationServiceBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "tpmauth.bench", matches = "true")
class AttestationServiceBenchmark {
    private static final int RENEWALS = 100;
    /** Renewals per timed block of the service's work; the two evidence forms alternate over ROUNDS blocks each. */
    private static final int SERVICE_WORK = 300;
    private static final int ROUNDS = 5;
    /** The 1,000-event log; -Dtpmauth.bench.events=0 takes the real 106-event log instead (earlier figures). */
    private static final int EVENTS = Integer.getInteger("tpmauth.bench.events", 1000);
    private static final int ENROLLMENTS = 20;
    /** Machines renewing at once through TLS, renewals per timed round, rounds. */
    private static final int CLIENTS = 4;
    private static final int TLS_RENEWALS = 200;
    private static final int TLS_ROUNDS = 3;
    /**
     * Warm-up rounds before the timed ones: until the service's JIT compiler threads used less than
     * {@link #JIT_SETTLED_MS} of CPU per renewal in a round (the compiled code then runs the steady state), at least
     * {@link #TLS_WARMUP_ROUNDS_MIN}, at most {@link #TLS_WARMUP_ROUNDS_MAX}. What the JIT does in the timed
     * rounds still counts.
     */
    private static final int TLS_WARMUP_ROUNDS_MIN = 2;
    private static final int TLS_WARMUP_ROUNDS_MAX = 30;
    private static final double JIT_SETTLED_MS = 1.0;
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    @TempDir
    static Path dir;

    @Test
    void renewalsPerSecondAndEnrollmentTime() throws Exception {
        EkProvisioning ekCa = EkProvisioning.manufacture(SWTPM);
        ServiceFixture fixture = EVENTS > 0 ? new ServiceFixture(dir, RealLogs.repeated(EVENTS)) : new ServiceFixture(dir);
        try (Tpm tpm = new Tpm(SWTPM.openTpm().tcti(), true); TpmKeys keys = new TpmKeys(tpm);
                PostgresServer postgres = new PostgresServer()) {
            fixture.boot(tpm);
            System.out.printf("boot log: %d events, %d bytes; cores: %d%n", fixture.parsedLog.events().size(),
                    fixture.log.length, Runtime.getRuntime().availableProcessors());
            for (String db : List.of(dir.resolve("bench").toString(), postgres.url())) {
                String name = db.startsWith("jdbc:") ? "PostgreSQL" : "embedded H2";
                Machine machine;
                try (Database database = Database.open(db);
                        AttestationServer server = fixture.start(database, ekCa.caDirectory(), Duration.ofHours(8))) {
                    machine = measure(name, fixture, server, tpm, keys, database);
                }
                // last, when the service's code is compiled (the JIT's time counts against the service); the same
                // database, CA and reference state, the service in a process of its own
                try (ServiceProcess service = ServiceProcess.start(fixture, ekCa.caDirectory(), db, Duration.ofHours(8))) {
                    throughTls(name, fixture, service, keys, machine);
                }
            }
        }
    }

    /** The benchmark's machine after its enrollment and renewals: its TPM keys, AK certificate and current chain. */
    private record Machine(TpmKey key, TpmKey ak, X509Certificate akCertificate, List<X509Certificate> chain) {
    }

    private static Machine measure(String name, ServiceFixture fixture, AttestationServer server, Tpm tpm, TpmKeys keys,
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

        // the service's work per renewal (the EST body decoded, the CSR and its evidence checked, the log
        // replayed, the reference state, signing, the database write): TLS aside, as on a server whose
        // machines each bring their own TPM; with the evidence statement in CBOR and, taking turns, in JSON
        byte[] exporter = new byte[32];
        new java.security.SecureRandom().nextBytes(exporter);
        KeyEvidence evidence = MachineEvidence.collect(tpm, key, ak, ChannelBinding.nonce(exporter),
                MachineEvidence.DEFAULT_PCRS, fixture.log);
        X509Certificate akCert = enrolled.akCertificate();
        Map<String, byte[]> bodies = new LinkedHashMap<>();
        bodies.put("cbor", estBody(Renewer.request(keys, key, current.get(0), EvidenceAttribute.bundle(evidence, akCert))));
        bodies.put("json", estBody(Renewer.request(keys, key, current.get(0), EvidenceAttribute.bundle(
                EvidenceAttribute.STATEMENT_TYPE, evidence.toJson().getBytes(StandardCharsets.UTF_8), akCert))));
        Renewal renewal = new Renewal(server.verification());
        List<X509Certificate> chain = current;
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors()); // the server's worker pool
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> cpuMs = new LinkedHashMap<>();
        Map<String, List<Double>> gcMs = new LinkedHashMap<>();
        for (int round = -1; round < ROUNDS; round++) { // round -1 warms up
            for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
                byte[] est = body.getValue();
                long cpu = processCpuNanos();
                long gc = gcMillis();
                long s = System.nanoTime();
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < SERVICE_WORK; i++) {
                    done.add(pool.submit(() -> renewal.reenroll(EstMessages.readCsr(est), chain, exporter)));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                if (round >= 0) {
                    rates.computeIfAbsent(body.getKey(), k -> new ArrayList<>())
                            .add(SERVICE_WORK / ((System.nanoTime() - s) / 1e9));
                    cpuMs.computeIfAbsent(body.getKey(), k -> new ArrayList<>())
                            .add((processCpuNanos() - cpu) / 1e6 / SERVICE_WORK);
                    gcMs.computeIfAbsent(body.getKey(), k -> new ArrayList<>())
                            .add((gcMillis() - gc) / (double) SERVICE_WORK);
                }
            }
        }
        pool.shutdown();
        String db = name.startsWith("PostgreSQL") ? "postgresql" : "h2";
        for (String statement : bodies.keySet()) {
            System.out.printf("service_renewal db=%s statement=%s events=%d threads=%d est_body_bytes=%d renewals_per_s %.0f "
                    + "jvm_cpu_ms_per_renewal %.2f gc_ms_per_renewal %.2f%n", db, statement,
                    fixture.parsedLog.events().size(), threads, bodies.get(statement).length,
                    medianOf(rates.get(statement)), medianOf(cpuMs.get(statement)), medianOf(gcMs.get(statement)));
        }
        System.out.printf("%s: enrollment median %.1f ms (of %d); renewal over EST end to end median %.1f ms, %.1f/s "
                + "one machine at a time (swtpm certify + quote included); service work per renewal on %d threads: "
                + "%.0f/s%n", name, median(enrollNanos), ENROLLMENTS, median(renewNanos), endToEnd, threads,
                medianOf(rates.get("cbor")));
        return new Machine(key, ak, akCert, chain);
    }

    /**
     * Renewals as the issue counts them, on {@link #CLIENTS} machines at once: each a TLS handshake with the
     * current certificate (its key signing in swtpm), the evidence made for that connection's exporter (certify
     * + quote in swtpm), the 1.1 MB EST body through the service's TLS front end and its HTTP server, the
     * renewal, the database write and the answer back. The service runs in a process of its own, as a real
     * one does ({@link ServiceProcess}): its CPU time is the service's, its GC and JIT included, and nothing of
     * the clients (their threads, allocations and compilations stay in this JVM) nor of swtpm. The clients and
     * swtpm share the cores with the service, so the wall-clock rate is lower than what the service alone sustains.
     */
    private static void throughTls(String name, ServiceFixture fixture, ServiceProcess service, TpmKeys keys,
            Machine machine) throws Exception {
        Renewer renewer = new Renewer(fixture.client(service.port()));
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS, r -> new Thread(r, "bench-client"));
        ThreadMXBean threadCpu = ManagementFactory.getThreadMXBean();
        Map<String, List<Double>> parts = new LinkedHashMap<>();
        AtomicReference<List<X509Certificate>> latest = new AtomicReference<>(machine.chain());
        List<Double> serviceCpu = new ArrayList<>();
        List<Double> clientCpu = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        List<Double> jitMs = new ArrayList<>();
        int warmup = 0;
        for (int round = -1; round < TLS_ROUNDS; round++) { // round -1 warms up, repeated until the JIT settled
            AtomicLong clientNanos = new AtomicLong();
            long cpu = service.cpuTicks();
            Map<String, Long> before = service.cpuTicksByThreadKind();
            long s = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < TLS_RENEWALS; i++) {
                done.add(clients.submit(() -> {
                    long t = threadCpu.getCurrentThreadCpuTime();
                    latest.set(List.of(renewer.renew(keys, machine.key(), latest.get(), machine.ak(),
                            machine.akCertificate(), MachineEvidence.DEFAULT_PCRS, fixture.log)));
                    clientNanos.addAndGet(threadCpu.getCurrentThreadCpuTime() - t);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double wall = (System.nanoTime() - s) / 1e9;
            long all = service.cpuTicks() - cpu;
            Map<String, Double> msByKind = new LinkedHashMap<>();
            service.cpuTicksByThreadKind().forEach((kind, ticks) -> msByKind.put(kind,
                    (ticks - before.getOrDefault(kind, 0L)) * 1000.0 / ServiceProcess.CLOCK_TICKS / TLS_RENEWALS));
            double jitPerRenewal = msByKind.get("jit");
            if (round < 0) {
                warmup++;
                if (warmup < TLS_WARMUP_ROUNDS_MIN || jitPerRenewal >= JIT_SETTLED_MS && warmup < TLS_WARMUP_ROUNDS_MAX) {
                    round--; // another warm-up round
                }
            } else {
                rates.add(TLS_RENEWALS / wall);
                serviceCpu.add(all * 1000.0 / ServiceProcess.CLOCK_TICKS / TLS_RENEWALS);
                clientCpu.add(clientNanos.get() / 1e6 / TLS_RENEWALS);
                msByKind.forEach((kind, ms) -> parts.computeIfAbsent(kind, k -> new ArrayList<>()).add(ms));
                jitMs.add(jitPerRenewal);
            }
        }
        clients.shutdown();
        int cores = Runtime.getRuntime().availableProcessors();
        double cpuMs = medianOf(serviceCpu);
        String db = name.startsWith("PostgreSQL") ? "postgresql" : "h2";
        System.out.printf("tls_renewal db=%s events=%d clients=%d service_cpu_ms_per_renewal %.2f "
                + "service_capacity_per_s_on_%d_cores %.0f client_threads_cpu_ms_per_renewal %.2f jit_cpu_ms_per_renewal %.2f wall_renewals_per_s %.0f"
                + " warmup_rounds %d%n", db, fixture.parsedLog.events().size(), CLIENTS, cpuMs, cores, cores * 1000 / cpuMs,
                medianOf(clientCpu), medianOf(jitMs), medianOf(rates), warmup);
        StringBuilder breakdown = new StringBuilder("tls_renewal_cpu_ms_by_thread db=" + db);
        parts.forEach((kind, ms) -> breakdown.append(' ').append(kind).append(String.format(" %.2f", medianOf(ms))));
        System.out.println(breakdown);
        System.out.println("# tls_renewal: service_cpu = the service process's CPU per renewal (its own JVM: the TLS 1.3"
                + " handshake authenticated by the current certificate, the EST body through TlsFrontend and the HTTP"
                + " server on its decrypted stream, CSR + evidence + log replay + reference state, signing, the database write,"
                + " the answer; its GC and JIT included; jit_cpu: the compiler threads' CPU, a sign of warm-up). Not included: swtpm (the machine's TPM: TLS signature,"
                + " certify, quote, CSR signature), the clients (their TLS, CSR and base64 work, in the benchmark's JVM). capacity = cores / service_cpu;"
                + " wall rate = renewals/s with clients and swtpm sharing the cores");
    }

    private static byte[] estBody(PKCS10CertificationRequest csr) throws java.io.IOException {
        return Base64.getMimeEncoder().encode(csr.getEncoded());
    }

    /** The CPU time of the whole JVM (every thread, the garbage collector's too). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The garbage collectors' accumulated time (wall time of their pauses and cycles). */
    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(g -> Math.max(0, g.getCollectionTime()))
                .sum();
    }

    private static double medianOf(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static double median(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2) / 1e6;
    }
}
