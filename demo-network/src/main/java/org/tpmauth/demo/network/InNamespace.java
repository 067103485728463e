package org.tpmauth.demo.network;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs Java code inside a network namespace: on a thread of its own that has entered it with setns(2), which
 * moves only the calling thread. A socket stays in the namespace it was made in, and threads that thread starts
 * are born in it too, so a server started there listens and serves in that namespace.
 */
final class InNamespace {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;

    /** The two libc calls that enter a namespace. */
    private interface LibC extends Library {
        LibC C = Native.load("c", LibC.class);

        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private InNamespace() {
    }

    /** Calls {@code body} on a new thread inside namespace {@code netns} and returns its result. */
    static <T> T call(String netns, String what, Callable<T> body) throws IOException {
        FutureTask<T> task = new FutureTask<>(() -> {
            int fd = LibC.C.open("/run/netns/" + netns, O_RDONLY_CLOEXEC);
            try {
                LibC.C.setns(fd, CLONE_NEWNET);
            } finally {
                LibC.C.close(fd);
            }
            return body.call();
        });
        Thread t = new Thread(task, what + " in " + netns);
        t.setDaemon(true);
        t.start();
        try {
            return task.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException(what + " in namespace " + netns + " failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " in namespace " + netns + " interrupted", e);
        }
    }
}
