package org.tpmauth.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmInfo;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;

/**
 * A long signing run that shows whether anything leaks: many threads sign with {@link TpmBench#THREAD_KEYS}
 * keys through the resource manager, and the TPM's free object and session slots and this process's heap
 * (after garbage collection) are compared before and after.
 */
public final class TpmSoak {
    /** Heap growth over the run that counts as a leak: far above the noise of a collected heap. */
    static final long HEAP_LEAK_BYTES = 32L << 20;
    private static final byte[] EMPTY = new byte[0];

    private TpmSoak() {
    }

    /** What the run saw. */
    public record Result(long signatures, long failures, TpmInfo before, TpmInfo after, long heapBefore, long heapAfter) {
        public boolean leaked() {
            return failures > 0 || before.transientFree() != after.transientFree()
                    || before.sessionsFree() != after.sessionsFree() || heapAfter - heapBefore > HEAP_LEAK_BYTES;
        }

        /** One "name before after" line per figure, then the verdict. */
        public List<String> lines() {
            return List.of("signatures " + signatures, "failures " + failures,
                    "free_object_slots " + before.transientFree() + " " + after.transientFree(),
                    "free_session_slots " + before.sessionsFree() + " " + after.sessionsFree(),
                    "heap_used_kib " + heapBefore / 1024 + " " + heapAfter / 1024,
                    leaked() ? "verdict LEAK" : "verdict no-leak");
        }
    }

    public static Result run(Tpm tpm, long signatures, int threads, Consumer<String> progress) throws Exception {
        TpmInfo before = TpmInfo.read(tpm);
        long heapBefore = collectedHeap();
        AtomicLong next = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        try (TpmKeys keys = new TpmKeys(tpm)) {
            progress.accept("creating " + TpmBench.THREAD_KEYS + " EC keys");
            List<Tss2KeyFile> files = new ArrayList<>();
            for (int i = 0; i < TpmBench.THREAD_KEYS; i++) {
                files.add(keys.create(KeyAlgorithm.EC_P256, EMPTY, TpmHandles.RH_OWNER));
            }
            List<TpmKey> loaded = new ArrayList<>();
            for (Tss2KeyFile f : files) {
                loaded.add(keys.load(f, EMPTY));
            }
            long step = Math.max(1, signatures / 10);
            byte[] digest = new byte[32];
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        for (long i; (i = next.getAndIncrement()) < signatures; ) {
                            try {
                                keys.signRaw(loaded.get((int) (i % loaded.size())), digest, TpmAlg.SHA256,
                                        SigningScheme.ECDSA);
                            } catch (RuntimeException e) {
                                if (failures.getAndIncrement() == 0) {
                                    progress.accept("first failure at signature " + i + ": " + e.getMessage());
                                }
                            }
                            if ((i + 1) % step == 0) {
                                progress.accept((i + 1) + " of " + signatures + " signatures");
                            }
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
        return new Result(signatures, failures.get(), before, TpmInfo.read(tpm), heapBefore, collectedHeap());
    }

    private static long collectedHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            memory.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
