import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.transport.TctiConfig;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;

/**
 * Where the threaded signature's time goes: ECDSA P-256 signatures with one key on one thread, then 16
 * threads over 20 keys (as `tpmauth bench --threads 16`), alternately, in one JVM on one swtpm. Per
 * signature: the JVM's CPU, its context switches (all threads, from /proc/self/task/N/status; voluntary
 * ones are blocks: a socket read, a park), swtpm's CPU (/proc/SWTPM_PID/stat, 10 ms ticks), TPM commands,
 * and the median time the TPM sat idle between one command's answer and the next command (wall time
 * around the transport). Switches, commands and CPU are the steadier figures on a busy machine.
 *
 * <pre>java -cp cli/target/tpmauth.jar bench/HandOver.java SWTPM_PORT SWTPM_PID [ITERATIONS [ROUNDS]]</pre>
 */
public class HandOver {
    private static final int THREADS = 16;
    private static final int KEYS = 20;
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** The transport, timing the gaps between one answer and the next command. */
    private static final class GapTcti implements Tcti {
        private final Tcti inner;
        private final long[] gaps = new long[1 << 20];
        private int count;
        private long lastAnswer;

        GapTcti(Tcti inner) {
            this.inner = inner;
        }

        @Override
        public byte[] transmit(byte[] command) {
            long start = System.nanoTime(); // the Tpm runs one command at a time
            if (lastAnswer != 0 && count < gaps.length) {
                gaps[count++] = start - lastAnswer;
            }
            byte[] answer = inner.transmit(command);
            lastAnswer = System.nanoTime();
            return answer;
        }

        /** Commands since the last call and their median idle gap (µs). */
        double[] drain() {
            long[] g = Arrays.copyOf(gaps, count);
            Arrays.sort(g);
            double[] r = {count, g.length == 0 ? 0 : g[g.length / 2] / 1e3};
            count = 0;
            lastAnswer = 0;
            return r;
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** Process-wide counters at one moment. */
    private record Counters(long jvmCpu, long switches, long voluntary, long swtpmCpu, long wall) {
        static Counters now(long swtpmPid) throws Exception {
            long switches = 0;
            long voluntary = 0;
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
                for (Path task : tasks) {
                    List<String> lines;
                    try {
                        lines = Files.readAllLines(task.resolve("status"));
                    } catch (java.io.IOException e) {
                        continue; // the thread ended meanwhile
                    }
                    for (String line : lines) {
                        if (line.contains("_ctxt_switches:")) {
                            long n = Long.parseLong(line.split("\\s+")[1]);
                            switches += n;
                            voluntary += line.startsWith("voluntary") ? n : 0;
                        }
                    }
                }
            }
            String[] stat = Files.readString(Path.of("/proc/" + swtpmPid + "/stat")).split("\\) ")[1].split(" ");
            long swtpm = (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) * 10_000_000L; // utime + stime
            return new Counters(OS.getProcessCpuTime(), switches, voluntary, swtpm, System.nanoTime());
        }

        void print(String name, Counters before, int signatures, double[] traffic) {
            double n = signatures;
            System.out.printf("%-8s %6.0f/s  jvm_cpu/sig %5.0f us  switches/sig %4.2f (voluntary %4.2f)  "
                            + "swtpm_cpu/sig %4.0f us  commands/sig %4.2f  tpm_idle_median %5.1f us%n", name,
                    n * 1e9 / (wall - before.wall), (jvmCpu - before.jvmCpu) / 1e3 / n,
                    (switches - before.switches) / n, (voluntary - before.voluntary) / n,
                    (swtpmCpu - before.swtpmCpu) / 1e3 / n, traffic[0] / n, traffic[1]);
        }
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long swtpmPid = Long.parseLong(args[1]);
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        GapTcti tcti = new GapTcti(TctiConfig.parse("swtpm:host=127.0.0.1,port=" + port).open());
        byte[] digest = new byte[32];
        try (Tpm tpm = new Tpm(tcti, true)) {
            TpmKeys keys = new TpmKeys(tpm);
            List<TpmKey> loaded = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                loaded.add(keys.load(keys.create(KeyAlgorithm.EC_P256, new byte[0], TpmHandles.RH_OWNER), new byte[0]));
            }
            for (int round = 0; round < rounds; round++) { // the first round is the warm-up
                int serial = THREADS * iterations / 4;
                tcti.drain();
                Counters before = Counters.now(swtpmPid);
                for (int i = 0; i < serial; i++) {
                    keys.signRaw(loaded.get(0), digest, TpmAlg.SHA256, SigningScheme.ECDSA);
                }
                Counters.now(swtpmPid).print("serial", before, serial, tcti.drain());

                ExecutorService pool = Executors.newFixedThreadPool(THREADS);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < iterations; i++) {
                            keys.signRaw(loaded.get((thread + i) % KEYS), digest, TpmAlg.SHA256, SigningScheme.ECDSA);
                        }
                        return null;
                    }));
                }
                before = Counters.now(swtpmPid);
                start.countDown();
                for (Future<?> f : done) {
                    f.get();
                }
                Counters.now(swtpmPid).print("threaded", before, THREADS * iterations, tcti.drain());
                pool.shutdown();
            }
        }
    }
}
