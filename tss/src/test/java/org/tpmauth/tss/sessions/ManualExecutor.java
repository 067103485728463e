package org.tpmauth.tss.sessions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/** An executor that runs its tasks only when a test says so, on the test's thread: background work in step. */
final class ManualExecutor extends AbstractExecutorService {
    private final List<Runnable> pending = new ArrayList<>();
    private boolean shutdown;

    /** Runs the tasks submitted so far; returns how many. */
    int runPending() {
        List<Runnable> tasks = List.copyOf(pending);
        pending.clear();
        tasks.forEach(Runnable::run);
        return tasks.size();
    }

    int pendingCount() {
        return pending.size();
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        pending.add(task);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> tasks = List.copyOf(pending);
        pending.clear();
        return tasks;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && pending.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }
}
