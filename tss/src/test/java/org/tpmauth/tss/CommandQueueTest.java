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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The order of commands among threads: loaded objects first, else the most wanted ones, bounded overtaking,
 * timeouts, reentrancy; queued bodies run by the thread giving up the turn (combining).
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

    /** Where a queued body ran and what its thread got back. */
    private record Outcome(String ranOn, Object result) {
    }

    /**
     * A thread that queues {@code body} for {@code handle} through {@link CommandQueue#run} and keeps
     * its outcome; returns once it waits in the queue.
     */
    private Thread body(String name, int handle, Supplier<?> body, AtomicReference<Outcome> outcome)
            throws InterruptedException {
        int before = queue.waiting();
        AtomicReference<String> ranOn = new AtomicReference<>();
        Thread t = new Thread(() -> {
            Object result;
            try {
                result = queue.run(List.of(handle), () -> {
                    ranOn.set(Thread.currentThread().getName());
                    order.add(name);
                    return body.get();
                });
            } catch (RuntimeException e) {
                result = e;
            }
            outcome.set(new Outcome(ranOn.get(), result));
        }, name);
        t.start();
        while (queue.waiting() == before) { // queued in this order
            Thread.sleep(1);
        }
        return t;
    }

    private static void joinAll(Thread... threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join(10_000);
            assertFalse(t.isAlive(), t.getName() + " still waits");
        }
    }

    @Test
    void theThreadGivingUpTheTurnRunsTheQueuedBodiesInTheQueuesOrder() throws Exception {
        loaded.add(2);
        queue.acquire();
        AtomicReference<Outcome> a = new AtomicReference<>();
        AtomicReference<Outcome> b = new AtomicReference<>();
        AtomicReference<Outcome> c = new AtomicReference<>();
        Thread ta = body("a", 1, () -> "result a", a);
        Thread tb = body("b", 2, () -> "result b", b);
        Thread tc = body("c", 3, () -> "result c", c);
        String me = Thread.currentThread().getName();
        queue.release();
        assertEquals(List.of("b", "a", "c"), order, "loaded first, as for threads that run their own command");
        assertEquals(0, queue.waiting());
        joinAll(ta, tb, tc);
        assertEquals(new Outcome(me, "result a"), a.get());
        assertEquals(new Outcome(me, "result b"), b.get());
        assertEquals(new Outcome(me, "result c"), c.get());
        queue.acquire(); // free again
        queue.release();
    }

    @Test
    void aBodyRunByAnotherThreadThrowsAtItsOwnCaller() throws Exception {
        queue.acquire();
        AtomicReference<Outcome> failing = new AtomicReference<>();
        AtomicReference<Outcome> next = new AtomicReference<>();
        IllegalStateException thrown = new IllegalStateException("the TPM said no");
        Thread tf = body("failing", 1, () -> {
            throw thrown;
        }, failing);
        Thread tn = body("next", 1, () -> "fine", next);
        queue.release(); // does not throw: the failure is the other thread's
        joinAll(tf, tn);
        assertEquals(thrown, failing.get().result());
        assertEquals("fine", next.get().result());
    }

    @Test
    void aThreadThatWantsTheTurnItselfEndsTheRunOfBodies() throws Exception {
        queue.acquire();
        AtomicReference<Outcome> first = new AtomicReference<>();
        AtomicReference<Outcome> last = new AtomicReference<>();
        Thread t1 = body("first", 1, () -> 1, first);
        Thread own = command("own", 1);
        Thread t2 = body("last", 1, () -> 2, last);
        String me = Thread.currentThread().getName();
        queue.release();
        joinAll(t1, own, t2);
        assertEquals(List.of("first", "own", "last"), order);
        assertEquals(me, first.get().ranOn());
        assertEquals("own", last.get().ranOn(), "run by the thread that held the turn before it");
    }

    @Test
    void aThreadRunsAtMostTheBoundOfOtherThreadsBodiesThenHandsTheTurnOn() throws Exception {
        queue.acquire();
        List<Thread> threads = new ArrayList<>();
        List<AtomicReference<Outcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < CommandQueue.MAX_COMBINED + 2; i++) {
            AtomicReference<Outcome> o = new AtomicReference<>();
            outcomes.add(o);
            int n = i;
            threads.add(body("b" + i, 1, () -> n, o));
        }
        String me = Thread.currentThread().getName();
        queue.release();
        joinAll(threads.toArray(Thread[]::new));
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i).get();
            assertEquals(i, o.result());
            // the bound's first thread over it runs its own body, then the next one's
            String ranOn = i < CommandQueue.MAX_COMBINED ? me : "b" + CommandQueue.MAX_COMBINED;
            assertEquals(ranOn, o.ranOn(), "body " + i);
        }
    }

    @Test
    void aBodyRunByAnotherThreadMayTakeTheTurnAgain() throws Exception {
        queue.acquire();
        AtomicReference<Outcome> outer = new AtomicReference<>();
        Thread t = body("outer", 1, () -> {
            queue.acquire(List.of(2)); // e.g. a name lookup inside a command
            queue.release();
            return queue.run(List.of(3), () -> "inner");
        }, outer);
        queue.release();
        joinAll(t);
        assertEquals(new Outcome(Thread.currentThread().getName(), "inner"), outer.get());
        queue.acquire(); // the nested holds were given back
        queue.release();
        assertThrows(IllegalStateException.class, queue::release);
    }

    @Test
    void anInterruptedThreadRunsNoOtherThreadsBody() throws Exception {
        queue.acquire();
        AtomicReference<Outcome> waiting = new AtomicReference<>();
        Thread t = body("waiting", 1, () -> "own", waiting);
        Thread.currentThread().interrupt();
        try {
            queue.release();
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt stays for the caller");
        }
        joinAll(t);
        assertEquals(new Outcome("waiting", "own"), waiting.get());
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
