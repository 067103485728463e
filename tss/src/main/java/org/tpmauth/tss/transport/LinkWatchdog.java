package org.tpmauth.tss.transport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces the command timeout of every {@link SocketLink}: one daemon thread closes the connection of
 * a command that ran past its deadline, which ends its blocked read. A command only stores its deadline
 * in its link, so a link's exchange stays one write and one read.
 *
 * <p>The thread sleeps until the earliest moment a deadline can pass: the deadline of a command in
 * flight, or one timeout after its last look for a link without one (a command starting later ends later).
 * When it finds nothing in flight and no command started since its last look, it sleeps until a command
 * starts: an idle process (a token between authentications, a service between renewals) costs it no
 * wake-ups. Only the first command after such a sleep wakes it; the others pay a volatile read.
 */
final class LinkWatchdog {
    static final LinkWatchdog SHARED = new LinkWatchdog();

    private final Set<SocketLink> links = ConcurrentHashMap.newKeySet();
    private final Thread thread = new Thread(this::run, "tpm transport timeouts");
    /** True while the thread sleeps until a command starts (set before it looks a last time). */
    private volatile boolean idle;
    /** How often the thread looked at the links: for tests. */
    private volatile long checks;

    LinkWatchdog() {
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts watching a link's deadlines until {@link #forget}. */
    void watch(SocketLink link) {
        links.add(link);
        wake(); // its sleep may be longer than the new link's timeout
    }

    void forget(SocketLink link) {
        links.remove(link);
    }

    /**
     * A link stored the deadline of a command it is about to send: wakes the thread only if it sleeps
     * until a command starts. The volatile write of the deadline, then this read of {@link #idle}, pair
     * with the thread's write of {@code idle}, then its last look at the deadlines: one of the two sees the other.
     */
    void started() {
        if (idle) {
            wake();
        }
    }

    private void wake() {
        idle = false;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (true) {
            long sleep = check(System.nanoTime());
            if (sleep < 0) {
                sleepUntilACommand();
            } else {
                LockSupport.parkNanos(this, sleep);
            }
            Thread.interrupted(); // nobody stops this thread: an interrupt must not turn the parks into a spin
        }
    }

    /**
     * Closes the links past their deadline.
     *
     * @return nanoseconds until the next deadline can pass, or -1 when no command is in flight and none
     *     started since the last check
     */
    private long check(long now) {
        checks++;
        long sleep = Long.MAX_VALUE;
        boolean quiet = true;
        for (SocketLink link : links) {
            long deadline = link.deadline();
            if (link.startedSinceLastCheck()) {
                quiet = false;
            }
            if (deadline == 0) {
                // a command not yet seen was sent after `now`, so it ends no sooner than this
                sleep = Math.min(sleep, link.timeoutNanos());
            } else if (now - deadline > 0) {
                link.expire();
            } else {
                quiet = false;
                sleep = Math.min(sleep, deadline - now);
            }
        }
        return quiet ? -1 : sleep;
    }

    private void sleepUntilACommand() {
        idle = true;
        for (SocketLink link : links) {
            if (link.deadline() != 0) { // started between the check and idle = true
                idle = false;
                return;
            }
        }
        while (idle) {
            LockSupport.park(this);
            Thread.interrupted();
        }
    }

    long checks() {
        return checks;
    }

    /** Whether the thread sleeps until a command starts (no timed wake-up). */
    boolean sleepsUntilACommand() {
        return idle;
    }
}
