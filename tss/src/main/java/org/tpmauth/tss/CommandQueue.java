package org.tpmauth.tss;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;

/**
 * The order in which threads' commands reach the TPM: one at a time, and among the commands waiting,
 * the oldest whose objects are loaded in the TPM right now goes first. With a resource manager
 * swapping many keys through a TPM's few slots (swtpm: 3), this turns most swaps into hits: the
 * threads whose keys are loaded run while the others wait their turn. It stays fair: a command passed
 * over {@link #MAX_BYPASS} times runs next whatever it needs, so every wait is bounded. A thread that
 * holds its turn may take it again (commands that run commands, e.g. a name lookup inside a command).
 */
final class CommandQueue {
    /** How often a waiting command may be overtaken by younger ones whose objects are loaded. */
    static final int MAX_BYPASS = 8;

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
        final Condition turn = lock.newCondition();
        int bypassed;
        boolean granted;

        Waiter(List<Integer> handles) {
            this.handles = handles;
        }
    }

    /** Waits for the turn of a command that names {@code handles}, however long it takes. */
    void acquire(List<Integer> handles) {
        lock.lock();
        try {
            Waiter w = enter(handles);
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
            Waiter w = enter(handles);
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
                    release(); // the turn came with the interrupt: hand it on
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

    /** Ends one hold of this thread's turn; the last one gives the TPM to the next command. */
    void release() {
        lock.lock();
        try {
            if (owner != Thread.currentThread()) {
                throw new IllegalStateException("the TPM command turn is not held by this thread");
            }
            if (--holds > 0) {
                return;
            }
            owner = null;
            if (waiting.isEmpty()) {
                return;
            }
            Waiter next = next();
            waiting.remove(next);
            next.granted = true;
            owner = next.thread;
            holds = 1;
            next.turn.signal();
        } finally {
            lock.unlock();
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
    private Waiter enter(List<Integer> handles) {
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
        Waiter w = new Waiter(handles);
        waiting.add(w);
        return w;
    }

    /**
     * The oldest command passed over too often, else the oldest whose objects are loaded, else the
     * oldest of those that name the objects most waiting commands name: the objects it loads then serve
     * the others too (threads working through the same keys line up behind one swap instead of one swap
     * each).
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
        return waiting.get(chosen);
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
