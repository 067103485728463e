package org.tpmauth.demo.network;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Everything the network demo starts or creates (programs, namespaces, folders, threads), undone in reverse
 * order: at the end of the run, on an error, and on Ctrl-C through a shutdown hook. Something registered after
 * the registry closed (the demo thread racing a Ctrl-C) is undone at once.
 */
public final class CleanupRegistry implements AutoCloseable {
    private record Entry(String what, AutoCloseable action) {
    }

    private final Deque<Entry> entries = new ArrayDeque<>();
    private final PrintStream log;
    private final List<String> failures = new ArrayList<>();
    /** Held while undoing, so that two closers do not interleave. */
    private final Object undoing = new Object();
    private boolean closed;
    /** Counted down when a thread other than the hook closes the registry: the demo is done. */
    private final CountDownLatch workerClosed = new CountDownLatch(1);
    private Thread hook;

    /** @param log where a failed undo is reported */
    public CleanupRegistry(PrintStream log) {
        this.log = log;
    }

    /** Registers {@code action} to undo {@code what}; returns {@code action}. */
    public <T extends AutoCloseable> T register(String what, T action) {
        synchronized (this) {
            if (!closed) {
                entries.push(new Entry(what, action));
                return action;
            }
        }
        undo(new Entry(what, action));
        throw new CancelledException(what + " was undone at once: the demo is shutting down");
    }

    /**
     * Undoes everything also when the JVM is stopped (Ctrl-C, SIGTERM): the hook undoes what is registered,
     * interrupts {@code worker} (the demo thread), waits up to {@code grace} seconds for it to reach its own
     * {@link #close()}, and undoes what it registered meanwhile. (Joining the worker would not do: it ends in
     * System.exit, which blocks while hooks run.)
     */
    public synchronized void installShutdownHook(Thread worker, long grace) {
        hook = new Thread(() -> {
            close();
            worker.interrupt();
            try {
                workerClosed.await(grace, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }, "tpmauth-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether Ctrl-C (or the end of the run) closed the registry. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** What could not be undone, one line each (empty when everything went). */
    public synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    /**
     * Undoes everything registered so far, last first. Safe to call more than once, and from two threads (the
     * demo's and the shutdown hook): the second waits until the first is through, so the order holds.
     */
    @Override
    public void close() {
        synchronized (undoing) {
            while (true) {
                Entry next;
                synchronized (this) {
                    closed = true;
                    next = entries.poll();
                }
                if (next == null) {
                    break;
                }
                undo(next);
            }
        }
        synchronized (this) {
            if (Thread.currentThread() != hook) {
                workerClosed.countDown();
            }
            if (hook != null && Thread.currentThread() != hook) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down: the hook runs anyway
                }
                hook = null;
            }
        }
    }

    private void undo(Entry entry) {
        try {
            entry.action().close();
        } catch (Exception e) {
            String line = entry.what() + ": " + e.getMessage();
            synchronized (this) {
                failures.add(line);
            }
            log.println("cleanup: could not undo " + line);
        }
    }

    /** Thrown by {@link #register} when the demo is being stopped. */
    public static final class CancelledException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CancelledException(String message) {
            super(message);
        }
    }
}
