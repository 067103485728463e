package org.tpmauth.attestation;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.attestation.eventlog.LogPlayback;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.quote.PcrFile;
import org.tpmauth.attestation.quote.PcrSelections;
import org.tpmauth.attestation.quote.Quoter;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.attestation.refstate.RefStates;
import org.tpmauth.attestation.testing.RealLogs;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Verification speed: one quote + a 1,000-event boot log + a reference state, verified in software
 * (evidence parsed from its bytes as a verifier receives them, in its JSON form and, taking turns, in its
 * CBOR form; reference state JSON parsed, signature, nonce, PCR digest, replay, rules), median time and
 * verifications per second on two threads; in the same run, tpm2_eventlog + tpm2_checkquote on the same files. A
 * measurement, not a test: it prints and asserts only that the verification succeeds.
 * Run with {@code mvn -pl attestation -am test -Dtpmauth.bench=true -Dtest=AttestationBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "tpmauth.bench", matches = "true")
class AttestationBenchmark {
    private static final int EVENTS = 1000;
    /**
     * Warm-up rounds per form: the JIT compiles the base64 decoder's caller (and so uses the JDK's
     * vectorized decodeBlock) only after a few thousand calls; a verifier that has been running is
     * measured, not one that has just started.
     */
    private static final int WARMUP = 6000;
    private static final int ITERATIONS = 300;
    private static final int ROUNDS = 10;
    private static final int TOOL_RUNS = 20;
    private static final byte[] NONCE = HexFormat.of().parseHex("0123456789abcdef");
    private static final String PCRS = "sha256:0-7";
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @Test
    void verifyOneQuoteWithAThousandEventLogAndAReferenceState() throws Exception {
        byte[] log = RealLogs.repeated(EVENTS);
        EventLog parsed = EventLog.parse(log);
        Tpm tpm = new Tpm(SWTPM.openTpm().tcti(), true);
        List<TpmsPcrSelection> selection = PcrSelections.parse(PCRS);
        byte[] json;
        TpmtPublic ak;
        try (TpmKeys keys = new TpmKeys(tpm)) {
            LogPlayback.extendInto(tpm, parsed, Set.of(TpmAlg.SHA1, TpmAlg.SHA256));
            TpmKey key = keys.load(AttestationKeys.create(tpm, KeyAlgorithm.RSA_2048), null);
            ak = key.publicArea();
            Evidence ev = Quoter.quote(tpm, key, NONCE, selection, log);
            json = ev.toJson().getBytes(StandardCharsets.UTF_8);
            Path work = SWTPM.workDir();
            Files.write(work.resolve("log.bin"), log);
            Files.write(work.resolve("quote.msg"), ev.quoted());
            Files.write(work.resolve("quote.sig"), TpmWriter.marshal(ev.signature()::marshal));
            Files.write(work.resolve("pcrs.bin"), PcrFile.of(ev).toBytes());
            Files.writeString(work.resolve("ak.pem"), PublicKeys.toPem(key.publicKey()));
        }
        tpm.close();
        RefState ref = RefStates.fromLog(parsed, Set.of(0, 2, 4));
        String refJson = ref.toJson();
        TpmtPublic akArea = ak;
        byte[] cbor = Evidence.fromJson(json).toCbor();
        // the same verification, from the evidence's JSON form and from its CBOR form
        List<Variant> variants = List.of(
                new Variant("tpmauth_verify", () -> verify(akArea, Evidence.fromJson(json), selection, refJson)),
                new Variant("tpmauth_verify_cbor", () -> verify(akArea, Evidence.fromCbor(cbor), selection, refJson)));
        for (int i = 0; i < WARMUP; i++) {
            variants.forEach(v -> v.verify().run());
        }
        // the variants take turns, so that a machine whose load drifts hits both alike; wall time and the
        // thread's CPU time: on a shared machine the second says what a verification costs
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long[][] times = new long[variants.size()][ITERATIONS];
        long[][] cpuTimes = new long[variants.size()][ITERATIONS];
        for (int round = 0; round < ROUNDS; round++) {
            for (int v = 0; v < variants.size(); v++) {
                Runnable verify = variants.get(v).verify();
                for (int i = round * ITERATIONS / ROUNDS; i < (round + 1) * ITERATIONS / ROUNDS; i++) {
                    long c = cpu.getCurrentThreadCpuTime();
                    long t = System.nanoTime();
                    verify.run();
                    times[v][i] = System.nanoTime() - t;
                    cpuTimes[v][i] = cpu.getCurrentThreadCpuTime() - c;
                }
            }
        }
        System.out.printf("# %d-event log (%d bytes; evidence: %d bytes of JSON, %d of CBOR), quote over %s, reference "
                + "state with 3 pinned PCRs and rules%n", parsed.events().size(), log.length, json.length, cbor.length, PCRS);
        double[] wall = new double[variants.size()];
        double[] cpuMs = new double[variants.size()];
        for (int v = 0; v < variants.size(); v++) {
            wall[v] = median(times[v]) / 1e6;
            cpuMs[v] = median(cpuTimes[v]) / 1e6;
            System.out.printf("%s median_ms %.3f cpu_median_ms %.3f verifications_per_s_2threads %.0f%n",
                    variants.get(v).name(), wall[v], cpuMs[v], perSecondOnTwoThreads(variants.get(v).verify()));
        }
        System.out.printf("ratio_cbor_over_json median %.2f cpu_median %.2f%n", wall[1] / wall[0], cpuMs[1] / cpuMs[0]);
        double medianMs = wall[0];
        double cpuMedianMs = cpuMs[0];
        double eventlogMs = medianMs(() -> run("tpm2_eventlog", "log.bin"));
        System.out.printf("tpm2_eventlog median_ms %.1f%n", eventlogMs);
        double checkquoteMs = medianMs(() -> run("tpm2_checkquote", "-u", "ak.pem", "-m", "quote.msg", "-s",
                "quote.sig", "-f", "pcrs.bin", "-g", "sha256", "-q", HexFormat.of().formatHex(NONCE)));
        System.out.printf("tpm2_checkquote median_ms %.1f%n", checkquoteMs);
        System.out.printf("tpm2_eventlog+tpm2_checkquote median_ms %.1f speedup %.0fx (by CPU time %.0fx)%n",
                eventlogMs + checkquoteMs, (eventlogMs + checkquoteMs) / medianMs,
                (eventlogMs + checkquoteMs) / cpuMedianMs);
    }

    private record Variant(String name, Runnable verify) {
    }

    private static void verify(TpmtPublic ak, Evidence evidence, List<TpmsPcrSelection> selection, String refJson) {
        AttestationVerifier.Verdict v = AttestationVerifier.verify(ak, evidence, NONCE, selection, null,
                RefState.fromJson(refJson));
        if (!v.ok()) {
            throw new AssertionError(v.toText());
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double perSecondOnTwoThreads(Runnable verify) throws Exception {
        int threads = 2;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                for (int i = 0; i < ITERATIONS; i++) {
                    verify.run();
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        double perSecond = threads * ITERATIONS / ((System.nanoTime() - start) / 1e9);
        pool.shutdown();
        return perSecond;
    }

    private interface Command {
        void run() throws Exception;
    }

    private static double medianMs(Command command) throws Exception {
        long[] times = new long[TOOL_RUNS];
        for (int i = 0; i < TOOL_RUNS; i++) {
            long t = System.nanoTime();
            command.run();
            times[i] = System.nanoTime() - t;
        }
        Arrays.sort(times);
        return times[TOOL_RUNS / 2] / 1e6;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(SWTPM.workDir().toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(false).start();
        String err = new String(p.getErrorStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + err);
        }
    }
}
