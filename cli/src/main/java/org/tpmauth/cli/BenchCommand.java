package org.tpmauth.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.tpmauth.cli.bench.CommandTally;
import org.tpmauth.cli.bench.TpmBench;
import org.tpmauth.cli.bench.TpmSoak;
import org.tpmauth.tss.Tpm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tpmauth bench}: how fast this TPM, through this stack, runs the operations tpmauth uses. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure how fast the TPM runs the operations tpmauth uses, through this stack.",
            "Prints one line per operation: name median_us client_cpu_us",
            "  median_us      median wall time per operation, microseconds",
            "  client_cpu_us  median CPU time of this process per operation, microseconds (the TPM's own",
            "                 work is not counted, except with libtpms:, where the TPM runs in this process)",
            "Operations: getrandom32 createprimary_ecc load_ecc sign_ecdsa_p256 sign_rsassa2048 sign_rsapss2048",
            "  load_sign_flush_ecdsa sign_ecdsa_secure_session quote_pcr0_7 pcr_read_8, then",
            "  sign_ecdsa_p256_threadsT_keysK median_us client_cpu_us ops_per_s: T threads signing with K keys",
            "  (up to 20; fewer when the TPM has no room for more), CPU = process CPU / signatures.",
            "After each line, '# traffic NAME commands=C sent_bytes=S received_bytes=R TPM2_X=N ...': what",
            "  reached the TPM per operation (round trips, bytes, commands by name, resource manager's included).",
            "Lines starting with '#' are comments; progress goes to stderr. Keys are created for the run",
            "and flushed after; nothing is persisted.",
            "Use a test TPM (swtpm, or --tcti libtpms:DIR for the embedded engine): RSA key creation and",
            "many signatures take a while on a hardware TPM.",
            "With --soak N it runs only a leak check: N signatures by --threads threads over 20 keys, then",
            "lines 'name before after' for free_object_slots, free_session_slots, heap_used_kib (after GC),",
            "and 'verdict no-leak' or 'verdict LEAK' (exit 1)."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--iterations", defaultValue = "200", paramLabel = "N",
            description = "Timed runs per operation, and per thread in the threaded run (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--threads", defaultValue = "16", paramLabel = "T",
            description = "Threads of the threaded signing run (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--soak", paramLabel = "N",
            description = "Leak check instead of the benchmark: N signatures, then TPM slots and heap before/after.")
    Long soak;

    @Spec
    CommandSpec spec;

    private static final int MAX_ITERATIONS = 1_000_000;
    private static final int MAX_THREADS = 1024;

    @Override
    public Integer call() throws Exception {
        check("--iterations", iterations, MAX_ITERATIONS);
        check("--threads", threads, MAX_THREADS);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CommandTally tally = new CommandTally(TpmOptions.transport(spec));
        try (Tpm tpm = new Tpm(tally, true)) {
            if (soak != null) {
                if (soak < 1) {
                    throw new ParameterException(spec.commandLine(), "--soak must be at least 1, got " + soak);
                }
                TpmSoak.Result r = TpmSoak.run(tpm, soak, threads, line -> err.println("soak: " + line));
                r.lines().forEach(out::println);
                return r.leaked() ? 1 : 0;
            }
            out.println("# tpmauth bench: " + iterations + " iterations, medians in microseconds");
            out.println("# name median_us client_cpu_us [ops_per_s]");
            new TpmBench(tpm, tally, iterations, threads, line -> err.println("bench: " + line)).run(m -> {
                out.println(m.line());
                out.println(m.trafficLine());
            });
        }
        return 0;
    }

    private void check(String option, int value, int max) {
        if (value < 1 || value > max) {
            throw new ParameterException(spec.commandLine(), option + " must be between 1 and " + max + ", got "
                    + value);
        }
    }
}
