package org.tpmauth.tss.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.Capabilities;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.transport.TpmTransportException;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmPt;

/**
 * TpmKeys on a resource-managed Tpm over swtpm's 3 object slots: many keys at once, many threads,
 * a swtpm restart in the middle, and closing that leaves the TPM as it was.
 */
class TpmKeysManagedTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    private static final int KEYS = 20;
    private static final byte[] NO_PASSWORD = new byte[0];
    /** Signatures per thread in the 64-thread run; -Dtpmauth.stress.signatures=50 for the full run. */
    private static final int SIGNATURES_PER_THREAD = Integer.getInteger("tpmauth.stress.signatures", 50);
    private static final List<Tss2KeyFile> FILES = new ArrayList<>();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    /** Counts what the managed Tpm of the running test sends, the resource manager's own commands included. */
    private CountingTcti counter;

    @BeforeAll
    static void createKeys() {
        try (TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
            for (int i = 0; i < KEYS; i++) {
                FILES.add(keys.create(i % 5 == 4 ? KeyAlgorithm.RSA_2048 : KeyAlgorithm.EC_P256, NO_PASSWORD,
                        TpmHandles.RH_OWNER));
            }
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        SWTPM.disconnect(); // CountingTcti leaves the connection open
    }

    /**
     * A resource-managed Tpm on its own connection to the class's swtpm (the extension releases it
     * when {@link SwtpmExtension#tpm()} is needed again: call {@link SwtpmExtension#disconnect()}).
     */
    private Tpm managed() {
        counter = new CountingTcti(SWTPM.openTpm().tcti());
        Tpm tpm = new Tpm(counter, true);
        toClose.add(tpm);
        return tpm;
    }

    /** TpmKeys on a managed Tpm, both closed after the test. */
    private TpmKeys managedKeys() {
        TpmKeys keys = new TpmKeys(managed());
        toClose.add(0, keys);
        return keys;
    }

    private List<TpmKey> loadAll(TpmKeys keys) {
        List<TpmKey> loaded = new ArrayList<>();
        FILES.forEach(f -> loaded.add(keys.load(f, NO_PASSWORD)));
        return loaded;
    }

    private static void signAndVerify(TpmKeys keys, TpmKey key, byte[] message) {
        SigningScheme scheme = SigningScheme.defaultFor(key.type());
        byte[] signature = keys.sign(key, Signatures.digest(TpmAlg.SHA256, message), TpmAlg.SHA256, scheme);
        assertTrue(Signatures.verify(key.publicKey(), message, signature, TpmAlg.SHA256, scheme),
                "signature of " + key + " does not verify");
    }

    @Test
    void twentyKeysStayLoadedOnThreeSlotsAndEachSigns() {
        TpmKeys keys = managedKeys();
        List<TpmKey> loaded = loadAll(keys);
        assertEquals(KEYS, loaded.stream().map(TpmKey::handle).distinct().count(), "one handle per key");
        byte[] message = "twenty keys".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 2; round++) {
            for (TpmKey key : loaded) {
                signAndVerify(keys, key, message);
            }
            java.util.Collections.reverse(loaded);
        }
        assertEquals(1, counter.count(TpmCc.CreatePrimary), "one primary for twenty keys");
        assertEquals(KEYS, counter.count(TpmCc.Load), "each key loaded once, then moved in and out by context");
        assertTrue(counter.count(TpmCc.ContextLoad) >= KEYS, "keys were swapped through the three slots");
    }

    @Test
    void sixtyFourThreadsSignWithTwentyKeys() throws Exception {
        TpmKeys keys = managedKeys();
        List<TpmKey> loaded = loadAll(keys);
        int threads = 64;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < SIGNATURES_PER_THREAD; i++) {
                        TpmKey key = loaded.get((thread + i) % KEYS);
                        signAndVerify(keys, key, ("thread " + thread + " signature " + i)
                                .getBytes(StandardCharsets.UTF_8));
                    }
                    return SIGNATURES_PER_THREAD;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get(5, TimeUnit.MINUTES); // a TPM_RC_OBJECT_MEMORY would surface here
            }
            assertEquals(threads * SIGNATURES_PER_THREAD, total);
            assertEquals(threads * SIGNATURES_PER_THREAD, counter.count(TpmCc.Sign));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closingFlushesEverythingItLoaded() {
        Tpm raw = SWTPM.tpm();
        int before = Capabilities.property(raw, TpmPt.HR_TRANSIENT_AVAIL).orElseThrow();
        assertEquals(List.of(), Capabilities.handles(raw, TpmHandles.HT_TRANSIENT));
        Tpm tpm = managed();
        TpmKeys keys = new TpmKeys(tpm);
        List<TpmKey> loaded = loadAll(keys);
        signAndVerify(keys, loaded.get(0), new byte[] {1});
        assertEquals(KEYS + 1, Capabilities.handles(tpm, TpmHandles.HT_TRANSIENT).size(), "keys and primary");
        tpm.close(); // without TpmKeys.close: the Tpm flushes what went through it
        SWTPM.disconnect();
        assertEquals(List.of(), Capabilities.handles(raw, TpmHandles.HT_TRANSIENT));
        assertEquals(before, Capabilities.property(raw, TpmPt.HR_TRANSIENT_AVAIL).orElseThrow());
        assertTrue(counter.count(TpmCc.FlushContext) >= 3);
    }

    @Test
    void afterAPowerCycleTheFirstCommandStartsTheTpmAndKeysAreReloaded() {
        TpmKeys keys = managedKeys();
        List<TpmKey> loaded = loadAll(keys);
        signAndVerify(keys, loaded.get(0), new byte[] {1});
        SWTPM.powerCycle(); // TPM_Init: the next command meets TPM_RC_INITIALIZE
        for (TpmKey key : loaded) {
            signAndVerify(keys, key, new byte[] {2});
        }
        assertEquals(1, counter.count(TpmCc.Startup), "the facade started the TPM once");
        assertEquals(2, counter.count(TpmCc.CreatePrimary), "the primary was created again, once");
        assertEquals(2 * KEYS, counter.count(TpmCc.Load), "each key loaded again, once");
    }

    @Test
    void swtpmRestartedWhileThreadsSignKeysAreReloaded() throws Exception {
        TpmKeys keys = managedKeys();
        List<TpmKey> loaded = loadAll(keys);
        int threads = 8;
        AtomicLong restartedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger afterRestart = new AtomicInteger();
        List<TpmException> failures = new CopyOnWriteArrayList<>();
        Map<String, Throwable> failuresAfterRestart = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        long started = System.nanoTime();
                        try {
                            signAndVerify(keys, loaded.get((thread * 3 + i) % KEYS), new byte[] {(byte) i});
                            if (started > restartedAt.get()) {
                                afterRestart.incrementAndGet();
                            }
                        } catch (TpmException e) {
                            if (started > restartedAt.get()) {
                                failuresAfterRestart.put(thread + "/" + i, e);
                            } else {
                                failures.add(e);
                            }
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(300);
            SWTPM.kill();
            Thread.sleep(200);
            SWTPM.restart();
            restartedAt.set(System.nanoTime());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (afterRestart.get() < 200 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            stop.set(true);
            for (Future<?> f : done) {
                f.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Map.of(), failuresAfterRestart, "commands sent after the restart work");
        assertTrue(afterRestart.get() >= 200, "signatures after the restart: " + afterRestart.get());
        assertFalse(failures.isEmpty(), "commands while swtpm was down failed");
        for (TpmException e : failures) { // the connection broke or could not be made: said so, naming swtpm
            assertInstanceOf(TpmTransportException.class, e, e.toString());
            assertTrue(e.getMessage().contains("swtpm at 127.0.0.1:" + SWTPM.port()), e.getMessage());
        }
        assertTrue(counter.count(TpmCc.CreatePrimary) >= 2, "the primary was created again");
        // every key was loaded again, once
        assertTrue(counter.count(TpmCc.Load) <= 2 * KEYS + threads, "loads: " + counter.count(TpmCc.Load));
        for (TpmKey key : loaded) {
            signAndVerify(keys, key, new byte[] {42});
        }
        assertEquals(0, failures.stream().filter(e -> e instanceof TpmResponseException r
                && r.is(TpmRc.OBJECT_MEMORY)).count());
    }
}
