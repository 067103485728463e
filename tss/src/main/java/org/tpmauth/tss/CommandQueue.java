package org.tpmauth.tss;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * The order in which threads' commands reach the TPM: one at a time, and among the commands waiting,
 * the oldest whose objects are loaded in the TPM right now goes first. With a resource manager
 * swapping many keys through a TPM's few slots (swtpm: 3), this turns most swaps into hits: the
 * threads whose keys are loaded run while the others wait their turn. It stays fair: a command passed
 * over {@link #MAX_BYPASS} times runs next whatever it needs, so every wait is bounded. A thread that
 * holds its turn may take it again (commands that run commands, e.g. a name lookup inside a command).
 *
 * <p>A command queued through {@link #run} is a body that any thread may run: the thread giving up the
 * turn runs the next such bodies itself, in the same order, and hands each waiting thread its result
 * (combining). The TPM then gets the next command straight after the previous answer, while the
 * thread whose command it was parks and wakes off that path: waking a parked thread on another CPU
 * costs a small machine as much as a short command. A thread runs at most {@link #MAX_COMBINED} bodies
 * of others per turn, so its own caller's wait stays bounded.
 */
final class CommandQueue {
    /** How often a waiting command may be overtaken by younger ones whose objects are loaded. */
    static final int MAX_BYPASS = 8;
    /** How many other threads' commands the thread giving up the turn runs before it hands the turn on. */
    static final int MAX_COMBINED = 4;

    private final ReentrantLock lock = new ReentrantLock();
    /** Waiting commands, oldest first. */
    private final List<Waiter> waiting = new ArrayList<>();
    private final IntPredicate loaded;
    private Thread owner;
    private int holds;

    /** @param loaded whether a handle's object or session is in the TPM now (true for other handles) */
    CommandQueue(IntPredicate loaded) {
        this.loaded = loaded;
    }

    private final class Waiter {
        final Thread thread = Thread.currentThread();
        final List<Integer> handles;
        /** What another thread holding the turn may run for this one; null: the turn itself is wanted. */
        final Supplier<?> body;
        final Condition turn = lock.newCondition();
        int bypassed;
        /** Written under the lock; read without it by a thread waiting in {@link #run}. */
        volatile boolean granted;
        /** Whether another thread ran the body; its outcome is in result or failure, written before. */
        volatile boolean done;
        Object result;
        Throwable failure;

        Waiter(List<Integer> handles, Supplier<?> body) {
            this.handles = handles;
            this.body = body;
        }

        /** Runs the body on this (another) thread and hands its outcome to the waiting thread. */
        void runBody() {
            try {
                result = body.get();
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            done = true;
            LockSupport.unpark(thread);
        }
    }

    /**
     * Runs {@code body} in the turn of a command that names {@code handles}, however long the wait: on
     * this thread, or on the thread holding the turn before (see the class comment). Either way it runs
     * in the turn, in the queue's order, with what it wrote visible to this thread afterwards. The body
     * must not depend on the thread it runs on; what it throws is thrown here.
     */
    @SuppressWarnings("unchecked")
    <T> T run(List<Integer> handles, Supplier<T> body) {
        Waiter w;
        lock.lock();
        try {
            w = enter(handles, body);
        } finally {
            lock.unlock();
        }
        // parked without the lock: the thread handing back a result or the turn need not take it for this one
        boolean interrupted = false;
        while (w != null && !w.granted && !w.done) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (w != null && w.done) {
            if (w.failure instanceof RuntimeException e) {
                throw e;
            }
            if (w.failure instanceof Error e) {
                throw e;
            }
            return (T) w.result;
        }
        try {
            return body.get();
        } finally {
            release();
        }
    }

    /** Waits for the turn of a command that names {@code handles}, however long it takes. */
    void acquire(List<Integer> handles) {
        lock.lock();
        try {
            Waiter w = enter(handles, null);
            while (w != null && !w.granted) {
                w.turn.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the turn of a command that names no handles (lookups, closing). */
    void acquire() {
        acquire(List.of());
    }

    /**
     * Waits for the turn of a command that names {@code handles} until {@code deadline} ({@link System#nanoTime}).
     *
     * @return false when the deadline passed first (the command then has no turn)
     */
    boolean acquire(List<Integer> handles, long deadline) throws InterruptedException {
        lock.lock();
        try {
            Waiter w = enter(handles, null);
            try {
                while (w != null && !w.granted) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        waiting.remove(w);
                        return false;
                    }
                    w.turn.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                if (w.granted) {
                    owner = null; // the turn came with the interrupt: hand it on
                    if (!waiting.isEmpty()) {
                        grant(next());
                    }
                } else {
                    waiting.remove(w);
                }
                throw e;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends one hold of this thread's turn. The last one first runs the next waiting bodies (up to
     * {@link #MAX_COMBINED}, while the next command in order is a body), then gives the turn to the
     * next command.
     */
    void release() {
        lock.lock();
        try {
            if (owner != Thread.currentThread()) {
                throw new IllegalStateException("the TPM command turn is not held by this thread");
            }
            if (--holds > 0) {
                return;
            }
            for (int served = 0; !waiting.isEmpty(); served++) {
                Waiter next = next();
                // an interrupted thread runs nothing more: a blocking channel would close on its interrupt
                if (next.body == null || served == MAX_COMBINED || Thread.currentThread().isInterrupted()) {
                    grant(next);
                    return;
                }
                holds = 1; // the body may take the turn again, as its own thread could
                lock.unlock();
                try {
                    next.runBody();
                } finally {
                    lock.lock();
                }
                holds = 0;
            }
            owner = null;
        } finally {
            lock.unlock();
        }
    }

    /** Gives the turn to a waiting command that wants it for itself; under the lock. */
    private void grant(Waiter next) {
        owner = next.thread;
        holds = 1;
        next.granted = true;
        if (next.body != null) {
            LockSupport.unpark(next.thread);
        } else {
            next.turn.signal();
        }
    }

    /** Commands waiting now. */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /** The turn at once when free and nobody waits (or held already), else a waiter in the queue. */
    private Waiter enter(List<Integer> handles, Supplier<?> body) {
        Thread me = Thread.currentThread();
        if (owner == me) {
            holds++;
            return null;
        }
        if (owner == null && waiting.isEmpty()) {
            owner = me;
            holds = 1;
            return null;
        }
        Waiter w = new Waiter(handles, body);
        waiting.add(w);
        return w;
    }

    /**
     * Takes the next command out of the queue: the oldest passed over too often, else the oldest whose
     * objects are loaded, else the oldest of those that name the objects most waiting commands name: the
     * objects it loads then serve the others too (threads working through the same keys line up behind
     * one swap instead of one swap each).
     */
    private Waiter next() {
        int chosen = -1;
        for (int i = 0; i < waiting.size() && chosen < 0; i++) {
            if (waiting.get(i).bypassed >= MAX_BYPASS) {
                chosen = i;
            }
        }
        for (int i = 0; i < waiting.size() && chosen < 0; i++) {
            if (waiting.get(i).handles.stream().allMatch(loaded::test)) {
                chosen = i;
            }
        }
        if (chosen < 0) {
            chosen = mostWanted();
        }
        for (int i = 0; i < chosen; i++) {
            waiting.get(i).bypassed++;
        }
        return waiting.remove(chosen);
    }

    /** The index of the oldest waiter whose handles the most waiters name. */
    private int mostWanted() {
        Map<List<Integer>, Integer> wanted = new HashMap<>();
        for (Waiter w : waiting) {
            wanted.merge(w.handles, 1, Integer::sum);
        }
        int chosen = 0;
        for (int i = 1; i < waiting.size(); i++) {
            if (wanted.get(waiting.get(i).handles) > wanted.get(waiting.get(chosen).handles)) {
                chosen = i;
            }
        }
        return chosen;
    }
}
