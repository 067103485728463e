import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.commands.PcrRead;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsPcrSelection;

/**
 * What one small TPM command costs the calling thread: TPM2_GetRandom(32) and TPM2_PCR_Read(sha256: 0-7)
 * through {@code Tpm.open} (resource manager, secure sessions), in loops after 2 s of warm-up. Per loop:
 * median wall and thread CPU (µs), and per command the bytes allocated and the minor page faults of this
 * thread (a fault is a first touch of a heap page, expensive in a VM), which do not depend on the load.
 *
 * <pre>java [-Xmn16m] -cp cli/target/tpmauth.jar bench/CommandCost.java SWTPM_PORT [COMMANDS [LOOPS]]</pre>
 */
public class CommandCost {
    private static final com.sun.management.ThreadMXBean THREAD =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int loops = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        PcrRead pcrRead = new PcrRead(List.of(TpmsPcrSelection.of(TpmAlg.SHA256, IntStream.range(0, 8).toArray())));
        try (Tpm tpm = Tpm.open("swtpm:host=127.0.0.1,port=" + args[0])) {
            for (long end = System.nanoTime() + 2_000_000_000L; System.nanoTime() < end; ) {
                tpm.execute(new GetRandom(32));
                tpm.execute(pcrRead);
            }
            for (int loop = 0; loop < loops; loop++) {
                for (String op : List.of("getrandom32", "pcr_read_8")) {
                    long[] wall = new long[n];
                    long[] cpu = new long[n];
                    long faults0 = minorFaults();
                    long bytes0 = THREAD.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < n; i++) {
                        long cpu0 = THREAD.getCurrentThreadCpuTime();
                        long wall0 = System.nanoTime();
                        if (op.equals("getrandom32")) {
                            tpm.execute(new GetRandom(32));
                        } else {
                            tpm.execute(pcrRead);
                        }
                        wall[i] = System.nanoTime() - wall0;
                        cpu[i] = THREAD.getCurrentThreadCpuTime() - cpu0;
                    }
                    double bytes = (THREAD.getCurrentThreadAllocatedBytes() - bytes0) / (double) n;
                    double faults = (minorFaults() - faults0) / (double) n;
                    System.out.printf("%s loop %d median_wall_us %.1f median_thread_cpu_us %.1f bytes_per_command %.0f"
                            + " faults_per_command %.2f%n", op, loop, median(wall), median(cpu), bytes, faults);
                }
            }
        }
    }

    /** This thread's minor page faults (field 10 of /proc/thread-self/stat). */
    private static long minorFaults() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1000.0;
    }
}
