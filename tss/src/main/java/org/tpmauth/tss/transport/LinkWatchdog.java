package org.tpmauth.tss.transport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Enforces the command timeout of every {@link SocketLink}: one daemon thread looks at the links a few
 * times per timeout and closes the connection of a command that ran past its deadline, which ends its
 * blocked read. A command only stores its deadline in its link: nothing is scheduled or woken per
 * command, so a link's exchange stays one write and one read.
 */
final class LinkWatchdog {
    static final LinkWatchdog SHARED = new LinkWatchdog();

    /** A command is given up at most 1/{@value} of its timeout late. */
    private static final int CHECKS_PER_TIMEOUT = 8;
    private static final long MIN_TICK = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_TICK = TimeUnit.SECONDS.toNanos(1);

    private final Set<SocketLink> links = ConcurrentHashMap.newKeySet();
    private boolean running;

    private LinkWatchdog() {
    }

    /** Starts watching a link's deadlines until {@link #forget}. */
    void watch(SocketLink link) {
        links.add(link);
        synchronized (this) {
            if (!running) {
                running = true;
                Thread t = new Thread(this::run, "tpm transport timeouts");
                t.setDaemon(true);
                t.start();
            }
            notifyAll();
        }
    }

    void forget(SocketLink link) {
        links.remove(link);
    }

    private void run() {
        try {
            while (true) {
                synchronized (this) {
                    while (links.isEmpty()) {
                        wait();
                    }
                }
                long tick = links.stream().mapToLong(SocketLink::timeoutNanos).min().orElse(MAX_TICK) / CHECKS_PER_TIMEOUT;
                TimeUnit.NANOSECONDS.sleep(Math.max(MIN_TICK, Math.min(MAX_TICK, tick)));
                long now = System.nanoTime();
                for (SocketLink link : links) {
                    link.expireIfLate(now);
                }
            }
        } catch (InterruptedException e) {
            synchronized (this) {
                running = false; // the next watch() starts a new thread
            }
        }
    }
}
