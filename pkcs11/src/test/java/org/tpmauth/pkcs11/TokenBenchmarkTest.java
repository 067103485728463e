package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.pkcs11.RpcMessage.ByteArray;
import org.tpmauth.pkcs11.RpcMessage.Capacity;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.testing.FreeRadius;
import org.tpmauth.tls.testing.WpaSupplicant;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.CountingTcti;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmCc;

/**
 * The speed item of the token, on one swtpm and one FreeRADIUS (run as a production server runs: its
 * thread pool, normal logging, no {@code -X}): EAP-TLS 1.3 authentications with eapol_test (EC P-256
 * client keys, {@value #AUTHS} authentications in one eapol_test process) through the tpmauth token,
 * through tpm2-pkcs11 loaded directly, through tpm2-pkcs11 behind {@code p11-kit server} (the same RPC
 * route as tpmauth's), and with a software key file; pkcs11-tool sign latency (a process per signature)
 * through the tpmauth token and directly through tpm2-pkcs11; C_SignInit + C_Sign over tpmauth's socket.
 * The EAP-TLS routes run twice: {@value #AUTHS} re-authentications in one eapol_test process (a connected
 * machine re-authenticating: module and session already set up) and {@value #PROCESSES} eapol_test
 * processes of one authentication each (what a machine pays at each connect: module load, C_Initialize,
 * object search, login, signature; the reading of the issue's baseline figures), this one without the
 * p11-kit server route (its one module instance keeps the previous process's login).
 * The routes take turns for {@value #ROUNDS} rounds after a warm-up round (swtpm serves one connection at
 * a time, so only one route holds it); each figure is the median over the rounds.
 *
 * <p>A last, untimed pass runs the two RPC routes once more through an {@link RpcTap} and counts, per
 * authentication, the p11-kit calls and each call's server latency, and for tpmauth the TPM commands
 * (counted below the resource manager): where the route's time goes.
 *
 * <p>Runs only with {@code -Dbenchmark=true} (mvn -o -pl pkcs11 -am test -Dtest=TokenBenchmarkTest
 * -Dbenchmark=true -Dsurefire.failIfNoSpecifiedTests=false, or bench/pkcs11-compare.sh). Prints
 * machine-readable lines: {@code bench NAME ROUTE VALUE UNIT}, {@code ratio NAME ROUTE_A/ROUTE_B VALUE},
 * {@code goal NAME VALUE}, {@code calls NAME ROUTE CALL per_auth median_us} (p11-kit calls),
 * {@code tpm_commands NAME ROUTE COMMAND per_auth}.
 */
class TokenBenchmarkTest {
    private static final int ROUNDS = 5;
    private static final int AUTHS = 40;
    private static final int TOOL_SIGNS = 10;
    private static final int RPC_SIGNS = 300;
    /**
     * eapol_test waits this long after each success before it starts the next re-authentication
     * (eapol_test.c: {@code eloop_register_timeout(0, 100000, eapol_sm_reauth, ...)}): the same for every
     * route, and most of the time per authentication of a {@code -r} run.
     */
    private static final double REAUTH_PAUSE_MS = 100;
    private static final String EAP = "eap_tls13_ec_ms_per_auth";
    private static final String EAP_WORK = "eap_tls13_ec_work_ms_per_auth";
    /** One eapol_test process per authentication, as a machine pays at each connect (the issue's baseline). */
    private static final String EAP_PROCESS = "eap_tls13_ec_process_ms_per_auth";
    private static final int PROCESSES = 10;

    /** -Dtransport=unix: swtpm on UNIX sockets for every route (tpm2-pkcs11 and tpm2-abrmd take swtpm:path= too). */
    private static final boolean UNIX_SOCKETS = "unix".equals(System.getProperty("transport"));

    @RegisterExtension
    static final SwtpmExtension SWTPM = UNIX_SOCKETS ? SwtpmExtension.onUnixSockets() : new SwtpmExtension();

    @TempDir
    Path work;

    /** Per measurement ("eap_tls13_ec_ms_per_auth tpmauth"), the value of each measured round. */
    private final Map<String, List<Double>> results = new LinkedHashMap<>();

    @Test
    void measure() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("benchmark"), "benchmark: run with -Dbenchmark=true");
        Assumptions.assumeTrue(Tpm2Pkcs11Store.installed(), "apt-get install libtpm2-pkcs11-1 libtpm2-pkcs11-tools");
        TestKeystore store;
        try (Tpm tpm = managedTpm()) {
            store = TestKeystore.on(tpm);
        }
        Tpm2Pkcs11Store t2p = Tpm2Pkcs11Store.create(work.resolve("tpm2-pkcs11"), SWTPM, store);
        Files.write(work.resolve("digest"), new byte[32]);
        try (Radius radius = Radius.start(work, store, FreeRadius.Mode.PRODUCTION)) {
            store.issueSoftware(radius.work, "soft");
            for (int round = 0; round <= ROUNDS; round++) {
                boolean measured = round > 0;
                tpmauthToken(store, radius, measured);
                tpm2Pkcs11(t2p, radius, store.caPem, measured);
                String soft = WpaSupplicant.fileCredentials(Path.of("soft.pem"), Path.of("soft.key"));
                recordEap(measured, "software_key", eapMillis(radius, "software", "", soft, store.caPem, Map.of()));
                record(measured, EAP_PROCESS, "software_key", eapProcessMillis(radius, "software", "", soft, store.caPem,
                        Map.of(), () -> { }));
            }
            report();
            tpmauthCalls(store, radius);
            tpm2Pkcs11Calls(t2p, radius, store.caPem);
        } finally {
            SWTPM.disconnect();
        }
    }

    /**
     * The token served over the keystore as {@code tpmauth pkcs11 serve} serves it (warmed up once it
     * listens), its log discarded.
     */
    private Pkcs11Server tokenServer(TpmKeys keys, TestKeystore store) throws Exception {
        Pkcs11Server server = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null), work.resolve("p11.sock"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        server.warmUp();
        return server;
    }

    /** The tpmauth route once more, untimed, through a tap: p11-kit calls and TPM commands per authentication. */
    private void tpmauthCalls(TestKeystore store, Radius radius) throws Exception {
        CountingTcti counting = new CountingTcti(SWTPM.openTpm().tcti());
        try (Tpm tpm = new Tpm(counting, true);
             TpmKeys keys = new TpmKeys(tpm);
             Pkcs11Server server = tokenServer(keys, store);
             RpcTap tap = RpcTap.start(work.resolve("tap.sock"), server.socket())) {
            Map<Integer, Integer> before = counting.counts();
            eapMillis(radius, "device-ec", Radius.TOKEN_GLOBALS, Radius.tokenCredentials("ec"), store.caPem,
                    Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + tap.socket()));
            Map<Integer, Integer> after = counting.counts();
            printCalls("eap_tls13_ec", "tpmauth", tap.drain(), AUTHS);
            after.forEach((code, n) -> {
                int sent = n - before.getOrDefault(code, 0);
                if (sent > 0) {
                    System.out.printf(Locale.ROOT, "tpm_commands eap_tls13_ec tpmauth %s %.2f%n", TpmCc.nameOf(code),
                            (double) sent / AUTHS);
                }
            });
            toolSignMillis(Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + tap.socket()), Programs.CLIENT_MODULE);
            printCalls("pkcs11_tool_sign", "tpmauth", tap.drain(), TOOL_SIGNS);
        } finally {
            SWTPM.disconnect();
        }
    }

    /** tpm2-pkcs11 behind {@code p11-kit server} once more, untimed, through a tap: p11-kit calls per auth. */
    private void tpm2Pkcs11Calls(Tpm2Pkcs11Store t2p, Radius radius, Path ca) throws Exception {
        Path socket = work.resolve("p11-kit-server.sock");
        try (LoggedProcess server = t2p.p11KitServer(socket);
             RpcTap tap = RpcTap.start(work.resolve("tap.sock"), socket)) {
            eapMillis(radius, "device-t2p", Radius.TOKEN_GLOBALS, Tpm2Pkcs11Store.eapolCredentials(), ca,
                    Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + tap.socket()));
            printCalls("eap_tls13_ec", "tpm2_pkcs11_p11kit_server", tap.drain(), AUTHS);
        } finally {
            t2p.flushLeftovers();
        }
    }

    /** {@code calls NAME ROUTE CALL per_run median_us}, then the total per run ({@code runs} of them). */
    private static void printCalls(String name, String route, Map<String, List<Long>> calls, int runs) {
        long total = 0;
        for (Map.Entry<String, List<Long>> e : calls.entrySet()) {
            double[] micros = e.getValue().stream().mapToDouble(n -> n / 1e3).toArray();
            total += micros.length;
            System.out.printf(Locale.ROOT, "calls %s %s %s %.2f %.0f%n", name, route, e.getKey(),
                    (double) micros.length / runs, median(micros));
        }
        System.out.printf(Locale.ROOT, "calls %s %s all %.2f -%n", name, route, (double) total / runs);
    }

    private static Tpm managedTpm() {
        return new Tpm(SWTPM.openTpm().tcti(), true); // resource-managed, as `tpmauth pkcs11 serve` runs it
    }

    private void tpmauthToken(TestKeystore store, Radius radius, boolean measured) throws Exception {
        try (Tpm tpm = managedTpm();
             TpmKeys keys = new TpmKeys(tpm);
             Pkcs11Server server = tokenServer(keys, store)) {
            record(measured, "rpc_c_sign_ecdsa_p256_ms", "tpmauth", rpcSignMillis(server));
            record(measured, "pkcs11_tool_sign_ecdsa_p256_ms", "tpmauth", toolSignMillis(Map.of(
                    "P11_KIT_SERVER_ADDRESS", "unix:path=" + server.socket()), Programs.CLIENT_MODULE));
            Map<String, String> env = Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + server.socket());
            recordEap(measured, "tpmauth", eapMillis(radius, "device-ec", Radius.TOKEN_GLOBALS,
                    Radius.tokenCredentials("ec"), store.caPem, env));
            record(measured, EAP_PROCESS, "tpmauth", eapProcessMillis(radius, "device-ec", Radius.TOKEN_GLOBALS,
                    Radius.tokenCredentials("ec"), store.caPem, env, () -> { }));
        } finally {
            SWTPM.disconnect();
        }
    }

    private void tpm2Pkcs11(Tpm2Pkcs11Store t2p, Radius radius, Path ca, boolean measured) throws Exception {
        record(measured, "pkcs11_tool_sign_ecdsa_p256_ms", "tpm2_pkcs11", toolSignMillis(t2p.env(),
                Tpm2Pkcs11Store.MODULE, "--login", "--pin", Tpm2Pkcs11Store.PIN));
        String direct = "pkcs11_engine_path=/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so\npkcs11_module_path="
                + Tpm2Pkcs11Store.MODULE + "\n";
        try {
            recordEap(measured, "tpm2_pkcs11", eapMillis(radius, "device-t2p", direct,
                    Tpm2Pkcs11Store.eapolCredentials(), ca, t2p.env()));
            // eapol_test exits without C_Finalize, and tpm2-pkcs11 on a TPM without a resource manager leaves
            // its objects loaded: flushed after each process, untimed (tpm2-abrmd would do it)
            record(measured, EAP_PROCESS, "tpm2_pkcs11", eapProcessMillis(radius, "device-t2p", direct,
                    Tpm2Pkcs11Store.eapolCredentials(), ca, t2p.env(), t2p::flushLeftovers));
        } finally {
            t2p.flushLeftovers();
        }
        Path socket = work.resolve("p11-kit-server.sock");
        try (LoggedProcess server = t2p.p11KitServer(socket)) {
            // no process-per-authentication run here: p11-kit server keeps one module instance for all its
            // clients, so the first eapol_test's login (it exits without C_Logout) makes the next one's fail
            recordEap(measured, "tpm2_pkcs11_p11kit_server", eapMillis(radius, "device-t2p",
                    Radius.TOKEN_GLOBALS, Tpm2Pkcs11Store.eapolCredentials(), ca,
                    Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + socket)));
        } finally {
            t2p.flushLeftovers();
        }
    }

    /** Median milliseconds of C_SignInit + C_Sign (ECDSA P-256) over the socket. */
    private static double rpcSignMillis(Pkcs11Server server) throws Exception {
        try (RpcClient c = RpcClient.initialized(server.socket())) {
            long s = c.ok(RpcCall.C_OPEN_SESSION, Token.SLOT_ID, Pkcs11.CKF_SERIAL_SESSION).ulong(0);
            c.ok(RpcCall.C_FIND_OBJECTS_INIT, s, List.of(Attribute.text(Pkcs11.CKA_LABEL, "ec"),
                    Attribute.ulong(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY)));
            long key = ((RpcMessage.UlongArray) c.ok(RpcCall.C_FIND_OBJECTS, s, new Capacity(1)).values().get(0)).items()[0];
            double[] millis = new double[RPC_SIGNS];
            for (int i = 0; i < millis.length; i++) {
                long t = System.nanoTime();
                c.ok(RpcCall.C_SIGN_INIT, s, Mechanism.of(Pkcs11.CKM_ECDSA), key);
                c.ok(RpcCall.C_SIGN, s, ByteArray.of(new byte[32]), new Capacity(64));
                millis[i] = (System.nanoTime() - t) / 1e6;
            }
            return median(millis);
        }
    }

    /** Median milliseconds of one {@code pkcs11-tool --sign} process (ECDSA, key labelled ec). */
    private double toolSignMillis(Map<String, String> env, String module, String... login) {
        double[] millis = new double[TOOL_SIGNS];
        List<String> command = new ArrayList<>(List.of("pkcs11-tool", "--module", module));
        command.addAll(List.of(login));
        command.addAll(List.of("--sign", "--label", "ec", "--mechanism", "ECDSA", "-i", "digest", "-o", "sig"));
        for (int i = 0; i < millis.length; i++) {
            long t = System.nanoTime();
            Tools.Output r = Programs.run(work, env, command.toArray(String[]::new));
            millis[i] = (System.nanoTime() - t) / 1e6;
            assertEquals(0, r.code(), r::toString);
        }
        return median(millis);
    }

    /** Milliseconds per EAP-TLS 1.3 authentication: one eapol_test run of {@value #AUTHS}, which must all succeed. */
    private static double eapMillis(Radius radius, String name, String globals, String credentials, Path ca,
            Map<String, String> env) throws Exception {
        long t = System.nanoTime();
        Tools.Output r = radius.eapol(name, globals, credentials, "1.3", ca, AUTHS - 1, env);
        double millis = (System.nanoTime() - t) / 1e6 / AUTHS;
        assertEquals(0, r.code(), () -> LoggedProcess.tail(r.out()) + r.err());
        assertEquals(AUTHS, r.out().lines().filter(l -> l.contains("CTRL-EVENT-EAP-SUCCESS")).count(),
                () -> LoggedProcess.tail(r.out()));
        return millis;
    }

    /**
     * Median milliseconds of one EAP-TLS 1.3 authentication in an eapol_test process of its own ({@value
     * #PROCESSES} processes): module load, C_Initialize, object search, login, signature and TLS, as at each
     * connect of a machine. {@code afterEach} runs untimed after each process.
     */
    private static double eapProcessMillis(Radius radius, String name, String globals, String credentials, Path ca,
            Map<String, String> env, Runnable afterEach) throws Exception {
        double[] millis = new double[PROCESSES];
        for (int i = 0; i < millis.length; i++) {
            long t = System.nanoTime();
            Tools.Output r = radius.eapol(name, globals, credentials, "1.3", ca, 0, env);
            millis[i] = (System.nanoTime() - t) / 1e6;
            afterEach.run();
            assertEquals(0, r.code(), () -> LoggedProcess.tail(r.out()) + r.err());
        }
        return median(millis);
    }

    /**
     * One route's EAP-TLS time per authentication, as measured ({@code eap_tls13_ec_ms_per_auth}) and without
     * eapol_test's pause before each re-authentication ({@code eap_tls13_ec_work_ms_per_auth}).
     */
    private void recordEap(boolean measured, String route, double millisPerAuth) {
        record(measured, EAP, route, millisPerAuth);
        record(measured, EAP_WORK, route, millisPerAuth - REAUTH_PAUSE_MS * (AUTHS - 1) / AUTHS);
    }

    private void record(boolean measured, String name, String route, double value) {
        if (measured) {
            results.computeIfAbsent(name + " " + route, k -> new ArrayList<>()).add(value);
        }
    }

    private double result(String name, String route) {
        return median(results.get(name + " " + route).stream().mapToDouble(Double::doubleValue).toArray());
    }

    private void report() {
        System.out.println("# tpmauth token vs tpm2-pkcs11 on one swtpm (" + (UNIX_SOCKETS ? "unix" : "tcp")
                + "), EC P-256, median of " + ROUNDS + " rounds");
        results.keySet().forEach(k -> {
            String[] nameRoute = k.split(" ");
            System.out.printf(Locale.ROOT, "bench %s %s %.2f ms%n", nameRoute[0], nameRoute[1],
                    result(nameRoute[0], nameRoute[1]));
        });
        // what the key's route adds to an authentication: the same round's software-key time subtracted,
        // so load that changes between rounds cancels out
        String eap = EAP;
        String overhead = "eap_tls13_ec_overhead_ms";
        for (String route : List.of("tpmauth", "tpm2_pkcs11", "tpm2_pkcs11_p11kit_server")) {
            List<Double> with = results.get(eap + " " + route);
            List<Double> without = results.get(eap + " software_key");
            results.put(overhead + " " + route, IntStream.range(0, with.size())
                    .mapToObj(i -> with.get(i) - without.get(i)).toList());
            System.out.printf(Locale.ROOT, "bench %s %s %.2f ms%n", overhead, route, result(overhead, route));
        }
        String processOverhead = "eap_tls13_ec_process_overhead_ms";
        for (String route : List.of("tpmauth", "tpm2_pkcs11")) {
            List<Double> with = results.get(EAP_PROCESS + " " + route);
            List<Double> without = results.get(EAP_PROCESS + " software_key");
            results.put(processOverhead + " " + route, IntStream.range(0, with.size())
                    .mapToObj(i -> with.get(i) - without.get(i)).toList());
            System.out.printf(Locale.ROOT, "bench %s %s %.2f ms%n", processOverhead, route, result(processOverhead, route));
        }
        ratio(EAP_PROCESS, "tpm2_pkcs11", "tpmauth");
        ratio(EAP_PROCESS, "tpmauth", "software_key");
        ratio(processOverhead, "tpm2_pkcs11", "tpmauth");
        ratio(eap, "tpm2_pkcs11", "tpmauth");
        ratio(eap, "tpm2_pkcs11_p11kit_server", "tpmauth");
        ratio(eap, "tpmauth", "software_key");
        ratio(EAP_WORK, "tpm2_pkcs11", "tpmauth");
        ratio(EAP_WORK, "tpm2_pkcs11_p11kit_server", "tpmauth");
        ratio(EAP_WORK, "tpmauth", "software_key");
        ratio(overhead, "tpm2_pkcs11", "tpmauth");
        ratio(overhead, "tpm2_pkcs11_p11kit_server", "tpmauth");
        ratio("pkcs11_tool_sign_ecdsa_p256_ms", "tpm2_pkcs11", "tpmauth");
        // the issue's goals: at most the software-key time plus two TPM signatures; at least 2x tpm2-pkcs11
        double sign = result("rpc_c_sign_ecdsa_p256_ms", "tpmauth");
        System.out.printf(Locale.ROOT, "goal eap_overhead_within_two_signs %s (%.2f ms vs %.2f ms)%n",
                result(overhead, "tpmauth") <= 2 * sign ? "met" : "missed", result(overhead, "tpmauth"), 2 * sign);
        System.out.printf(Locale.ROOT, "goal eap_2x_faster_than_tpm2_pkcs11 %s (work per authentication %.2f vs"
                + " %.2f ms, eapol_test's re-authentication pause left out)%n",
                2 * result(EAP_WORK, "tpmauth") <= result(EAP_WORK, "tpm2_pkcs11") ? "met" : "missed",
                result(EAP_WORK, "tpmauth"), result(EAP_WORK, "tpm2_pkcs11"));
        // the issue's baseline figures (software ~20, tpm2-pkcs11 ~49, behind p11-kit server ~65 ms) are a
        // process per authentication: the same goals in that reading
        System.out.printf(Locale.ROOT, "goal eap_process_overhead_within_two_signs %s (%.2f ms vs %.2f ms)%n",
                result(processOverhead, "tpmauth") <= 2 * sign ? "met" : "missed", result(processOverhead, "tpmauth"),
                2 * sign);
        System.out.printf(Locale.ROOT, "goal eap_process_2x_faster_than_tpm2_pkcs11 %s (%.2f vs %.2f ms per"
                + " authentication, an eapol_test process each)%n",
                2 * result(EAP_PROCESS, "tpmauth") <= result(EAP_PROCESS, "tpm2_pkcs11") ? "met" : "missed",
                result(EAP_PROCESS, "tpmauth"), result(EAP_PROCESS, "tpm2_pkcs11"));
        System.out.printf(Locale.ROOT, "goal eap_process_overhead_2x_below_tpm2_pkcs11 %s (%.2f vs %.2f ms over the"
                + " software key)%n", 2 * result(processOverhead, "tpmauth") <= result(processOverhead, "tpm2_pkcs11")
                ? "met" : "missed", result(processOverhead, "tpmauth"), result(processOverhead, "tpm2_pkcs11"));
    }

    private void ratio(String name, String a, String b) {
        System.out.printf(Locale.ROOT, "ratio %s %s/%s %.2f%n", name, a, b, result(name, a) / result(name, b));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
