package org.tpmauth.tss.keys;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.EvictControl;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.transport.TctiConfig;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.wire.TpmReader;

/**
 * Where the unseal of `tpmauth wireguard up` goes (issue 11): a Tpm opened per unseal (resource manager start,
 * storage key), a PCR-sealed object unsealed through the salted policy session, the Tpm closed; on a swtpm
 * without and with an SRK persisted at 0x81000001, in alternating blocks. Per unseal: this thread's CPU time
 * (the client's work, JIT-compiled after the first block), the time spent in the transport (swtpm and the
 * socket) and the wall time; and the TPM commands sent. A measurement, not a test: it asserts nothing.
 * Run with {@code -Dtpmauth.bench=true -Dtest=ColdUnsealBenchmark} ({@code -Dtpmauth.bench.rounds},
 * {@code -Dtpmauth.bench.runs}).
 */
@EnabledIfSystemProperty(named = "tpmauth.bench", matches = "true")
class ColdUnsealBenchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @Test
    void coldUnsealWithAndWithoutAPersistentSrk() {
        int rounds = Integer.getInteger("tpmauth.bench.rounds", 6);
        int runs = Integer.getInteger("tpmauth.bench.runs", 50);
        Tss2KeyFile sealed;
        try (TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
            sealed = new Sealing(keys).seal(new byte[32], new byte[0], List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 16)));
        }
        SWTPM.disconnect(); // swtpm serves one connection at a time
        Map<String, List<long[]>> samples = new LinkedHashMap<>();
        Map<String, List<String>> commands = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String srk : List.of("none", "persistent")) {
                if (srk.equals("persistent")) {
                    persistSrk(true);
                }
                try {
                    for (int i = 0; i < runs; i++) {
                        TracedTcti traced = new TracedTcti(TctiConfig.resolve(SWTPM.tcti()).open());
                        long cpu = THREADS.getCurrentThreadCpuTime();
                        long wall = System.nanoTime();
                        try (Tpm tpm = new Tpm(traced, true); TpmKeys keys = new TpmKeys(tpm)) {
                            new Sealing(keys).unseal(sealed, new byte[0]);
                        }
                        long[] sample = {THREADS.getCurrentThreadCpuTime() - cpu, traced.nanos, System.nanoTime() - wall};
                        if (round > 0) { // the first round compiles the code
                            samples.computeIfAbsent(srk, k -> new ArrayList<>()).add(sample);
                        }
                        commands.put(srk, traced.sent);
                    }
                } finally {
                    if (srk.equals("persistent")) {
                        persistSrk(false);
                    }
                }
            }
        }
        samples.forEach((srk, list) -> System.out.printf("bench cold_unseal srk=%s runs=%d commands=%d cpu_median_ms=%.3f "
                + "transport_median_ms=%.3f wall_median_ms=%.3f%n", srk, list.size(), commands.get(srk).size(),
                median(list, 0), median(list, 1), median(list, 2)));
        commands.forEach((srk, sent) -> System.out.println("bench cold_unseal_commands srk=" + srk + " " + sent));
    }

    /** Persists the standard SRK at 0x81000001, or evicts it. */
    private static void persistSrk(boolean persist) {
        Tpm tpm = SWTPM.tpm();
        if (persist) {
            int srk = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryEcc())).objectHandle();
            tpm.execute(new EvictControl(TpmHandles.RH_OWNER, srk, TpmKeys.PERSISTENT_SRK));
            tpm.execute(new FlushContext(srk));
        } else {
            tpm.execute(EvictControl.evict(TpmHandles.RH_OWNER, TpmKeys.PERSISTENT_SRK));
        }
        SWTPM.disconnect();
    }

    private static double median(List<long[]> samples, int field) {
        long[] values = samples.stream().mapToLong(s -> s[field]).toArray();
        Arrays.sort(values);
        return values[values.length / 2] / 1e6;
    }

    /** Records the commands sent and the time spent waiting for their responses; closing closes the target. */
    private static final class TracedTcti implements Tcti {
        private final Tcti target;
        private final List<String> sent = new ArrayList<>();
        private long nanos;

        TracedTcti(Tcti target) {
            this.target = target;
        }

        @Override
        public byte[] transmit(byte[] command) {
            TpmReader header = new TpmReader(command).enter("command header");
            header.u16();
            header.u32();
            sent.add(TpmCc.nameOf(header.u32()).replace("TPM2_", ""));
            long start = System.nanoTime();
            try {
                return target.transmit(command);
            } finally {
                nanos += System.nanoTime() - start;
            }
        }

        @Override
        public String describe() {
            return "traced:" + target.describe();
        }

        @Override
        public void close() {
            target.close();
        }
    }
}
