package org.tpmauth.tss.sessions;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Session salts made ahead of time, for a program that keeps a {@link org.tpmauth.tss.Tpm} open and starts salted
 * sessions now and then (a resident agent, a token): the caller's half of a salt ({@link SharedSeed}: for an ECC
 * salt key an ephemeral key pair and the ECDH agreement, 0.3 ms of CPU once compiled, 1-1.5 ms in a JVM that has
 * run it only a few dozen times) depends only on the salt key's public area, so after each salted session start
 * the next salt for the same key is made on a background thread, and the next start takes it instead of making
 * one on its path.
 *
 * <p>A prepared salt is handed out once: it leaves its one slot atomically when taken. It serves only the exact
 * public area it was encrypted to; a start salted to another key (a second salt key, the null hierarchy's
 * primary after a TPM restart) discards it and makes its salt on the spot, as without this class. Safe for any
 * number of threads; at most one salt is being prepared at a time.
 */
public final class PreparedSalts implements AutoCloseable {
    /** A salt and the marshalled public area it was encrypted to. */
    private record Prepared(byte[] saltKey, SharedSeed salt) {
        void discard() {
            Arrays.fill(salt.seed(), (byte) 0);
        }
    }

    private final Function<TpmtPublic, SharedSeed> maker;
    private final ExecutorService background;
    private final AtomicReference<Prepared> ready = new AtomicReference<>();
    private final AtomicBoolean preparing = new AtomicBoolean();

    /** Prepares on a daemon thread of its own, which {@link #close} ends. */
    public PreparedSalts() {
        this(SharedSeed::salt, Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "tpm-salt-preparer");
            t.setDaemon(true);
            return t;
        }));
    }

    /** {@code maker} makes a salt for a key; {@code background} runs the preparations (tests choose both). */
    PreparedSalts(Function<TpmtPublic, SharedSeed> maker, ExecutorService background) {
        this.maker = maker;
        this.background = background;
    }

    /**
     * A new salt for a session salted to {@code saltKey}: the prepared one if it was made for this public area,
     * else one made now; either way the next one is then prepared for {@code saltKey}.
     */
    SharedSeed take(TpmtPublic saltKey) {
        byte[] id = TpmWriter.marshal(saltKey::marshal);
        Prepared prepared = ready.getAndSet(null);
        SharedSeed salt;
        if (prepared != null && Arrays.equals(prepared.saltKey(), id)) {
            salt = prepared.salt();
        } else {
            if (prepared != null) {
                prepared.discard();
            }
            salt = maker.apply(saltKey);
        }
        prepareNext(saltKey, id);
        return salt;
    }

    private void prepareNext(TpmtPublic saltKey, byte[] id) {
        if (!preparing.compareAndSet(false, true)) {
            return; // one is on its way; a start that finds the slot empty makes its own
        }
        try {
            background.execute(() -> {
                try {
                    Prepared next = new Prepared(id, maker.apply(saltKey));
                    if (!ready.compareAndSet(null, next)) {
                        next.discard(); // the preparation before filled the slot (two starts raced): keep that
                    } else if (background.isShutdown() && ready.compareAndSet(next, null)) {
                        next.discard(); // closed meanwhile
                    }
                } catch (RuntimeException e) {
                    // the key is unusable for a salt: the start that needs one makes it and reports why
                } finally {
                    preparing.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            preparing.set(false); // closed: salts are made on the spot from now on
        }
    }

    /** Ends the background thread and discards the prepared salt; later starts make their salts on the spot. */
    @Override
    public void close() {
        background.shutdownNow();
        Prepared prepared = ready.getAndSet(null);
        if (prepared != null) {
            prepared.discard();
        }
    }
}
