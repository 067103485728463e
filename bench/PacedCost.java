import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;

/**
 * What a TPM command costs a program that sends one now and then (a PKCS#11 token, a TLS service):
 * TPM2_GetRandom(32) or an ECDSA P-256 signature through {@code Tpm.open} and {@code TpmKeys.signRaw}, with
 * an optional pause before each, after 3 s of warm-up. Per loop: bytes allocated per operation (exact,
 * not load-dependent), the calling thread's CPU median, and the context switches of tss's watchdog
 * thread ("tpm transport timeouts") during the loop, i.e. its wake-ups.
 *
 * <pre>java -Xmn16m -cp cli/target/tpmauth.jar bench/PacedCost.java TCTI getrandom|sign COMMANDS [PAUSE_MS]</pre>
 */
public class PacedCost {
    private static final com.sun.management.ThreadMXBean THREAD =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[2]);
        long pauseMillis = args.length > 3 ? Long.parseLong(args[3]) : 0;
        byte[] digest = new byte[32];
        digest[0] = 1;
        try (Tpm tpm = Tpm.open(args[0]); TpmKeys keys = new TpmKeys(tpm)) {
            TpmKey key = keys.load(keys.create(KeyAlgorithm.EC_P256, new byte[0], TpmHandles.RH_OWNER), new byte[0]);
            Runnable op = switch (args[1]) {
                case "sign" -> () -> keys.signRaw(key, digest, TpmAlg.SHA256, SigningScheme.ECDSA);
                case "getrandom" -> () -> tpm.execute(new GetRandom(32));
                default -> throw new IllegalArgumentException("getrandom or sign, not " + args[1]);
            };
            for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; ) {
                op.run();
            }
            for (int loop = 0; loop < 2; loop++) {
                long[] cpu = new long[n];
                long wakeUps0 = watchdogSwitches();
                long bytes0 = THREAD.getCurrentThreadAllocatedBytes();
                long wall0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                    long cpu0 = THREAD.getCurrentThreadCpuTime();
                    op.run();
                    cpu[i] = THREAD.getCurrentThreadCpuTime() - cpu0;
                }
                double seconds = (System.nanoTime() - wall0) / 1e9;
                double bytes = (THREAD.getCurrentThreadAllocatedBytes() - bytes0) / (double) n;
                long wakeUps = watchdogSwitches() - wakeUps0;
                Arrays.sort(cpu);
                System.out.printf("%s loop %d bytes_per_op %.0f median_thread_cpu_us %.1f watchdog_wakeups %d in %.1f s"
                        + " (%.3f per op)%n", args[1], loop, bytes, cpu[n / 2] / 1e3, wakeUps, seconds, wakeUps / (double) n);
            }
        }
    }

    /** Context switches of the watchdog thread (voluntary + involuntary, /proc/self/task/TID/status). */
    private static long watchdogSwitches() throws Exception {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                if (Files.readString(task.resolve("comm")).startsWith("tpm transport")) {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.contains("ctxt_switches")) {
                            sum += Long.parseLong(line.replaceAll("\\D", ""));
                        }
                    }
                }
            }
        }
        return sum;
    }
}
