package org.tpmauth.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.tpmauth.tls.TpmSslContexts.Engine;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.CountingTcti;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.transport.TctiConfig;
import org.tpmauth.tss.types.TpmCc;

/**
 * The tpmauth side of {@code bench/tls-handshakes.sh}: new TLS 1.3 mutual-auth handshakes (no resumption)
 * per second against an {@code openssl s_server -www} that demands and verifies a client certificate. Each
 * handshake counts only when the server answered {@code GET /} with "HTTP/1.0 200", i.e. accepted our
 * certificate and signature.
 *
 * <p>One run measures eight variants, each for SECONDS after a warm-up of SECONDS per engine: the client key
 * in the TPM or in software (a PKCS#8 PEM key, {@link TpmSslContexts#softwareKeyManager}: the same context
 * builder, engine and crypto provider), on BC-JSSE or the JDK's SunJSSE, with one or two client threads (each
 * thread its own connections; the TPM signs one at a time, the rest of a handshake runs in parallel). The
 * TPM and the software key take turns in slices of 250 ms (ABBA), so neither profits from the JIT compiling
 * more of the shared code, or suffers from load, while the other is measured. The TPM is opened as
 * {@code Tpm.open} opens it (resource manager on), through a TCTI that counts the commands it passes on, so
 * the TPM commands of each variant's handshakes are counted below the resource manager: what the TPM
 * really ran.
 *
 * <p>Arguments: {@code TCTI TPMKEYFILE TPMCERT SOFTKEY SOFTCERT CA PORT SECONDS SERVER_PID}. Prints per
 * variant {@code NAME handshakes_per_s} (NAME = tpmauth_{tpm,software}_key, then _sunjsse for SunJSSE and
 * _threads2 for two threads; BC-JSSE with one thread has no suffix) and
 * {@code cost NAME median_ms process_cpu_us thread_cpu_us server_cpu_us tpm_commands tpm_signs suite} (per
 * handshake: median wall time of one handshake, the whole JVM's CPU time and the handshaking threads' CPU
 * time, the server process's CPU time (from /proc, 10 ms ticks, summed over the slices), TPM commands and TPM2_Sign commands, and
 * the cipher suite), then {@code tpm_command NAME COMMAND per_handshake} for each kind of TPM command a TPM
 * variant sent.
 */
public final class TlsHandshakeBench {
    private static final byte[] REQUEST = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The TPM and the software key take turns in slices this long. */
    private static final long SLICE_NANOS = 250_000_000;
    private static final long CLOCK_TICK_NANOS = 10_000_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** One configuration of the client. */
    private record Variant(boolean tpmKey, Engine engine, int threads) {
        String name() {
            return "tpmauth_" + (tpmKey ? "tpm" : "software") + "_key" + (engine == Engine.SUN_JSSE ? "_sunjsse" : "")
                    + (threads > 1 ? "_threads" + threads : "");
        }
    }

    /** What one variant's measured handshakes took, summed over its slices. */
    private static final class Tally {
        final Variant variant;
        final List<Long> nanos = new ArrayList<>();
        double seconds;
        long processCpuNanos;
        long threadCpuNanos;
        long serverCpuNanos;
        final Map<Integer, Integer> commands = new TreeMap<>();
        String suite;

        Tally(Variant variant) {
            this.variant = variant;
        }

        void print() {
            int n = nanos.size();
            int all = commands.values().stream().mapToInt(Integer::intValue).sum();
            Collections.sort(nanos);
            System.out.printf(Locale.ROOT, "%s %.1f%n", variant.name(), n / seconds);
            System.out.printf(Locale.ROOT, "cost %s %.2f %.0f %.0f %.0f %.2f %.2f %s%n", variant.name(),
                    nanos.get(n / 2) / 1e6, processCpuNanos / 1e3 / n, threadCpuNanos / 1e3 / n,
                    serverCpuNanos / 1e3 / n, (double) all / n, (double) commands.getOrDefault(TpmCc.Sign, 0) / n,
                    suite);
            commands.forEach((code, c) -> System.out.printf(Locale.ROOT, "tpm_command %s %s %.2f%n", variant.name(),
                    TpmCc.nameOf(code), (double) c / n));
        }
    }

    private TlsHandshakeBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 9) {
            System.err.println("usage: TlsHandshakeBench TCTI TPMKEYFILE TPMCERT SOFTKEY SOFTCERT CA PORT SECONDS"
                    + " SERVER_PID");
            System.exit(2);
        }
        Path ca = Path.of(args[5]);
        int port = Integer.parseInt(args[6]);
        double seconds = Double.parseDouble(args[7]);
        Path serverStat = Path.of("/proc", args[8], "stat");
        Tcti transport = TctiConfig.resolve(args[0]).open();
        CountingTcti counting = new CountingTcti(transport);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (transport; Tpm tpm = new Tpm(counting, true); TpmKeys keys = new TpmKeys(tpm)) {
            KeyManager tpmKeyManager = TpmKeyManager.fromFiles(keys, Path.of(args[1]), Path.of(args[2]), null);
            for (Engine engine : Engine.values()) {
                SSLContext tpmKey = TpmSslContexts.create(engine, tpmKeyManager, ca);
                SSLContext softwareKey = TpmSslContexts.create(engine,
                        softwareKeyManager(engine, Path.of(args[3]), Path.of(args[4])), ca);
                long warmUpEnd = System.nanoTime() + (long) (seconds * 1e9);
                while (System.nanoTime() < warmUpEnd) { // JIT, the key's load
                    handshake(tpmKey, port);
                    handshake(softwareKey, port);
                }
                for (int threads : new int[] {1, 2}) {
                    Tally tpmTally = new Tally(new Variant(true, engine, threads));
                    Tally softwareTally = new Tally(new Variant(false, engine, threads));
                    // slices taking turns (ABBA), so the JIT's progress and drifting load hit both alike
                    int slices = Math.max(1, (int) Math.round(seconds * 1e9 / SLICE_NANOS));
                    for (int i = 0; i < 2 * slices; i++) {
                        boolean tpmFirst = (i / 2) % 2 == 0;
                        boolean tpmNow = (i % 2 == 0) == tpmFirst;
                        slice(pool, threads, tpmNow ? tpmKey : softwareKey, port, tpmNow ? tpmTally : softwareTally,
                                counting, serverStat);
                    }
                    tpmTally.print();
                    softwareTally.print();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code threads} threads making handshakes for one slice, added to {@code tally}. */
    private static void slice(ExecutorService pool, int threads, SSLContext client, int port, Tally tally,
            CountingTcti counting, Path serverStat) throws Exception {
        Map<Integer, Integer> before = counting.counts();
        long serverCpu = cpuNanos(serverStat);
        long processCpu = PROCESS.getProcessCpuTime();
        long start = System.nanoTime();
        List<Future<Long>> workers = new ArrayList<>();
        List<List<Long>> times = new ArrayList<>();
        String[] suite = new String[1];
        for (int t = 0; t < threads; t++) {
            List<Long> own = new ArrayList<>();
            times.add(own);
            workers.add(pool.submit(() -> {
                long cpu = THREADS.getCurrentThreadCpuTime();
                while (System.nanoTime() - start < SLICE_NANOS) {
                    long t0 = System.nanoTime();
                    suite[0] = handshake(client, port);
                    own.add(System.nanoTime() - t0);
                }
                return THREADS.getCurrentThreadCpuTime() - cpu;
            }));
        }
        for (Future<Long> w : workers) {
            tally.threadCpuNanos += w.get();
        }
        tally.seconds += (System.nanoTime() - start) / 1e9;
        tally.processCpuNanos += PROCESS.getProcessCpuTime() - processCpu;
        tally.serverCpuNanos += cpuNanos(serverStat) - serverCpu;
        times.forEach(tally.nanos::addAll);
        difference(counting.counts(), before).forEach((code, n) -> tally.commands.merge(code, n, Integer::sum));
        tally.suite = suite[0];
    }

    /** One new handshake and {@code GET /}; the negotiated cipher suite. */
    private static String handshake(SSLContext client, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setEnabledProtocols(new String[] {"TLSv1.3"});
            s.setTcpNoDelay(true);
            s.getOutputStream().write(REQUEST);
            s.getOutputStream().flush();
            ByteArrayOutputStream page = new ByteArrayOutputStream();
            try (InputStream in = s.getInputStream()) {
                in.transferTo(page);
            }
            if (!page.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.0 200")) {
                throw new IllegalStateException("the server did not accept the handshake: " + page);
            }
            return s.getSession().getCipherSuite();
        }
    }

    /** utime + stime of a process (fields 14 and 15 of /proc/PID/stat, after the parenthesized name). */
    private static long cpuNanos(Path stat) throws IOException {
        String line = Files.readString(stat);
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * CLOCK_TICK_NANOS;
    }

    private static Map<Integer, Integer> difference(Map<Integer, Integer> after, Map<Integer, Integer> before) {
        Map<Integer, Integer> sent = new TreeMap<>();
        after.forEach((code, n) -> {
            int d = n - before.getOrDefault(code, 0);
            if (d > 0) {
                sent.put(code, d);
            }
        });
        return sent;
    }

    /** The software key with the engine's in-memory key manager, as {@link TpmSslContexts} builds it. */
    private static KeyManager softwareKeyManager(Engine engine, Path keyPem, Path certPem) throws Exception {
        PrivateKey key;
        try (Reader r = Files.newBufferedReader(keyPem); PEMParser parser = new PEMParser(r)) {
            key = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
        }
        return TpmSslContexts.softwareKeyManager(engine, key, Certificates.read(certPem));
    }
}
