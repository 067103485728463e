package org.tpmauth.tss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The order of commands among threads: loaded objects first, else the most wanted ones, bounded overtaking,
 * timeouts, reentrancy.
 */
class CommandQueueTest {
    private final Set<Integer> loaded = ConcurrentHashMap.newKeySet();
    private final CommandQueue queue = new CommandQueue(loaded::contains);
    private final List<String> order = Collections.synchronizedList(new ArrayList<>());

    /** A thread that waits for a turn for {@code handle}, notes it, and gives the turn back. */
    private Thread command(String name, int handle) throws InterruptedException {
        int before = queue.waiting();
        Thread t = new Thread(() -> {
            queue.acquire(List.of(handle));
            order.add(name);
            queue.release();
        }, name);
        t.start();
        while (queue.waiting() == before) { // queued in this order
            Thread.sleep(1);
        }
        return t;
    }

    @Test
    void aCommandWhoseObjectIsLoadedOvertakesOlderOnes() throws Exception {
        loaded.add(2);
        queue.acquire();
        Thread a = command("a", 1);
        Thread b = command("b", 2);
        Thread c = command("c", 3);
        queue.release();
        for (Thread t : new Thread[] {a, b, c}) {
            t.join(5000);
        }
        assertEquals(List.of("b", "a", "c"), order);
    }

    @Test
    void withNothingLoadedTheObjectMostCommandsWaitForGoesFirst() throws Exception {
        queue.acquire();
        List<Thread> threads = new ArrayList<>();
        int before = 0;
        // one object slot: a command's turn loads its object in place of the one before
        for (String name : List.of("a1", "b2", "c2", "d3", "e2")) {
            int handle = name.charAt(1) - '0';
            Thread t = new Thread(() -> {
                queue.acquire(List.of(handle));
                order.add(name);
                loaded.clear();
                loaded.add(handle);
                queue.release();
            }, name);
            t.start();
            threads.add(t);
            while (queue.waiting() == before) {
                Thread.sleep(1);
            }
            before++;
        }
        queue.release();
        for (Thread t : threads) {
            t.join(5000);
        }
        // object 2 is loaded once for its three commands, then the oldest of the rest
        assertEquals(List.of("b2", "c2", "e2", "a1", "d3"), order);
    }

    @Test
    void noCommandIsOvertakenMoreThanTheBound() throws Exception {
        loaded.add(2);
        queue.acquire();
        Thread starving = command("starving", 1);
        List<Thread> others = new ArrayList<>();
        for (int i = 0; i < CommandQueue.MAX_BYPASS + 3; i++) {
            others.add(command("loaded" + i, 2));
        }
        queue.release();
        starving.join(5000);
        for (Thread t : others) {
            t.join(5000);
        }
        assertEquals(CommandQueue.MAX_BYPASS, order.indexOf("starving"), order.toString());
    }

    @Test
    void aDeadlineEndsTheWaitWithoutATurn() throws Exception {
        queue.acquire();
        Thread waiter = new Thread(() -> {
            try {
                order.add(queue.acquire(List.of(1), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50))
                        ? "turn" : "timed out");
            } catch (InterruptedException e) {
                order.add("interrupted");
            }
        });
        waiter.start();
        waiter.join(5000);
        assertEquals(List.of("timed out"), order);
        assertEquals(0, queue.waiting());
        queue.release();
        assertTrue(queue.acquire(List.of(1), System.nanoTime() + 1_000_000_000L), "free again");
        queue.release();
    }

    @Test
    void theHolderMayTakeItsTurnAgain() {
        queue.acquire();
        queue.acquire(List.of(5));
        queue.release();
        queue.release();
        assertThrows(IllegalStateException.class, queue::release);
    }

    @Test
    void anInterruptedWaiterLeavesTheQueue() throws Exception {
        queue.acquire();
        Thread waiter = new Thread(() -> {
            try {
                queue.acquire(List.of(1), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
                order.add("turn");
            } catch (InterruptedException e) {
                order.add("interrupted");
            }
        });
        waiter.start();
        while (queue.waiting() == 0) {
            Thread.sleep(1);
        }
        waiter.interrupt();
        waiter.join(5000);
        assertEquals(List.of("interrupted"), order);
        assertEquals(0, queue.waiting());
        queue.release();
        assertFalse(waiter.isAlive());
    }
}
