package org.tpmauth.tss.sessions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.GetRandom;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Salts made ahead of time: each is handed out once and only for the key it was made for (with a stand-in maker,
 * the background work run in step), also under many threads; and sessions started on them work on swtpm.
 */
class PreparedSaltsTest {
    private static final TpmtPublic KEY_A = KeyTemplates.storagePrimaryEcc();
    private static final TpmtPublic KEY_B = KeyTemplates.storagePrimaryRsa();

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    /** Stand-in salts: a random seed, and "encrypted" = the key's public area and a serial number. */
    private static final class FakeMaker implements Function<TpmtPublic, SharedSeed> {
        final List<SharedSeed> made = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger serial = new AtomicInteger();

        @Override
        public SharedSeed apply(TpmtPublic key) {
            SharedSeed salt = new SharedSeed(SessionCrypto.random(32),
                    SessionCrypto.concat(id(key), TpmWriter.marshal(out -> out.u32(serial.getAndIncrement()))));
            made.add(salt);
            return salt;
        }
    }

    private static byte[] id(TpmtPublic key) {
        return TpmWriter.marshal(key::marshal);
    }

    private static boolean madeFor(SharedSeed salt, TpmtPublic key) {
        byte[] id = id(key);
        return salt.encrypted().length == id.length + 4
                && Arrays.equals(Arrays.copyOf(salt.encrypted(), id.length), id);
    }

    private static boolean wiped(SharedSeed salt) {
        return Arrays.equals(salt.seed(), new byte[salt.seed().length]);
    }

    @Test
    void aPreparedSaltIsHandedOutOnce() {
        FakeMaker maker = new FakeMaker();
        ManualExecutor background = new ManualExecutor();
        try (PreparedSalts salts = new PreparedSalts(maker, background)) {
            SharedSeed first = salts.take(KEY_A);
            assertEquals(1, maker.made.size(), "nothing prepared yet: made on the spot");
            assertEquals(1, background.pendingCount(), "the next one is on its way");
            SharedSeed second = salts.take(KEY_A); // before the preparation ran
            assertEquals(2, maker.made.size());
            assertEquals(1, background.pendingCount(), "one preparation at a time");

            background.runPending();
            SharedSeed prepared = maker.made.get(2);
            SharedSeed third = salts.take(KEY_A);
            assertSame(prepared, third, "the prepared salt is taken");
            assertEquals(3, maker.made.size(), "none made on the spot");
            SharedSeed fourth = salts.take(KEY_A); // the slot is empty again until the next preparation runs
            assertNotSame(prepared, fourth);
            assertEquals(4, maker.made.size());
            assertEquals(4, Set.copyOf(List.of(first, second, third, fourth)).size());
        }
    }

    @Test
    void aSaltPreparedForAnotherKeyIsDiscardedNotUsed() {
        FakeMaker maker = new FakeMaker();
        ManualExecutor background = new ManualExecutor();
        try (PreparedSalts salts = new PreparedSalts(maker, background)) {
            salts.take(KEY_A);
            background.runPending();
            SharedSeed forA = maker.made.get(1);

            SharedSeed forB = salts.take(KEY_B);
            assertTrue(madeFor(forB, KEY_B), "made for the key asked for");
            assertTrue(wiped(forA), "the stale salt is discarded");
            background.runPending();
            assertSame(maker.made.get(3), salts.take(KEY_B), "the next one is prepared for the new key");
            // the same public area read again is the same key
            TpmtPublic sameAsB = KeyTemplates.storagePrimaryRsa();
            background.runPending();
            assertSame(maker.made.get(4), salts.take(sameAsB));
        }
    }

    @Test
    void aKeyThatCannotTakeASaltFailsItsStartAndNothingElse() {
        ManualExecutor background = new ManualExecutor();
        FakeMaker good = new FakeMaker();
        Function<TpmtPublic, SharedSeed> maker = key -> {
            if (key == KEY_B) {
                throw new IllegalStateException("cannot encrypt a session salt to the TPM key");
            }
            return good.apply(key);
        };
        try (PreparedSalts salts = new PreparedSalts(maker, background)) {
            assertThrows(IllegalStateException.class, () -> salts.take(KEY_B));
            assertEquals(0, background.pendingCount(), "nothing prepared for a key that failed");
            assertTrue(madeFor(salts.take(KEY_A), KEY_A));
        }
    }

    @Test
    void closedSaltsAreMadeOnTheSpotAndThePreparedOneDiscarded() {
        FakeMaker maker = new FakeMaker();
        ManualExecutor background = new ManualExecutor();
        PreparedSalts salts = new PreparedSalts(maker, background);
        salts.take(KEY_A);
        background.runPending();
        salts.close();
        assertTrue(wiped(maker.made.get(1)));
        SharedSeed after = salts.take(KEY_A);
        assertTrue(madeFor(after, KEY_A));
        assertFalse(wiped(after));
        assertEquals(0, background.pendingCount());
    }

    @Test
    void manyThreadsNeverShareASaltNorGetOneForAnotherKey() throws Exception {
        FakeMaker maker = new FakeMaker();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try (PreparedSalts salts = new PreparedSalts(maker, Executors.newSingleThreadExecutor())) {
            List<Future<List<SharedSeed>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                TpmtPublic key = t % 2 == 0 ? KEY_A : KEY_B;
                results.add(callers.submit(() -> {
                    List<SharedSeed> taken = new ArrayList<>();
                    for (int i = 0; i < 2000; i++) {
                        SharedSeed salt = salts.take(key);
                        assertTrue(madeFor(salt, key), "a salt for another key");
                        assertFalse(wiped(salt), "a discarded salt");
                        taken.add(salt);
                    }
                    return taken;
                }));
            }
            Set<SharedSeed> all = Collections.newSetFromMap(new IdentityHashMap<>());
            int count = 0;
            for (Future<List<SharedSeed>> result : results) {
                List<SharedSeed> taken = result.get(2, TimeUnit.MINUTES);
                all.addAll(taken);
                count += taken.size();
            }
            assertEquals(count, all.size(), "a salt was handed out twice");
        } finally {
            callers.shutdownNow();
        }
    }

    /** Records the real salts as they are made, in order. */
    private static final class Recorder implements Function<TpmtPublic, SharedSeed> {
        final List<SharedSeed> made = new ArrayList<>();

        @Override
        public SharedSeed apply(TpmtPublic key) {
            SharedSeed salt = SharedSeed.salt(key);
            made.add(salt);
            return salt;
        }
    }

    @Test
    void sessionsOnPreparedSaltsWorkAndEncryptOnSwtpm() {
        TappedTcti tap = new TappedTcti(SWTPM.openTpm().tcti());
        try (Tpm tpm = new Tpm(tap)) {
            int ecc = SessionKeys.eccPrimary(tpm);
            int rsa = SessionKeys.rsaPrimary(tpm);
            Recorder maker = new Recorder();
            ManualExecutor background = new ManualExecutor();
            tpm.prepareSalts(new PreparedSalts(maker, background));
            // on the spot, prepared, on the spot (another key), prepared, on the spot (the first key again)
            for (int saltKey : new int[] {ecc, ecc, rsa, rsa, ecc}) {
                background.runPending();
                try (HmacSession session = HmacSession.start(tpm, SessionOptions.unsalted().saltedTo(saltKey))) {
                    int before = tap.recorded().length;
                    byte[] random = tpm.execute(new GetRandom(32), session).randomBytes(); // response HMAC checked
                    byte[] wire = Arrays.copyOfRange(tap.recorded(), before, tap.recorded().length);
                    assertFalse(SessionKeys.contains(wire, random), "the session encrypts the response");
                }
            }
            byte[] wire = tap.recorded();
            List<Integer> used = new ArrayList<>();
            for (int i = 0; i < maker.made.size(); i++) {
                if (SessionKeys.contains(wire, maker.made.get(i).encrypted())) {
                    used.add(i);
                }
            }
            // made: 0 spot, 1 prepared (used), 2 prepared for ecc (discarded at rsa), 3 spot, 4 prepared, 5 prepared
            // for rsa (discarded at ecc), 6 spot; the preparation after the last start never ran
            assertEquals(List.of(0, 1, 3, 4, 6), used);
            assertEquals(7, maker.made.size());
        }
    }

    @Test
    void policyUnsealsOnPreparedSaltsReturnTheSecretAndHideIt() {
        byte[] secret = "prepared-salt-secret-0123".getBytes(StandardCharsets.US_ASCII);
        TappedTcti tap = new TappedTcti(SWTPM.openTpm().tcti());
        try (Tpm tpm = new Tpm(tap); TpmKeys keys = new TpmKeys(tpm)) {
            Sealing sealing = new Sealing(keys);
            Tss2KeyFile sealed = sealing.seal(secret, new byte[0], List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 3)));
            Recorder maker = new Recorder();
            ManualExecutor background = new ManualExecutor();
            tpm.prepareSalts(new PreparedSalts(maker, background));
            int sessionsBefore = tap.count(TpmCc.StartAuthSession);
            for (int i = 0; i < 4; i++) {
                background.runPending();
                assertArrayEquals(secret, sealing.unseal(sealed, new byte[0]));
            }
            assertEquals(4, tap.count(TpmCc.StartAuthSession) - sessionsBefore);
            assertEquals(4, maker.made.size(), "one made on the spot, then each start took a prepared one");
            assertFalse(SessionKeys.contains(tap.recorded(), secret), "the secret crossed the bus in clear");
        }
    }
}
