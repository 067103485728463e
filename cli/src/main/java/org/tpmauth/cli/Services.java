package org.tpmauth.cli;

import java.io.Closeable;
import java.io.IOException;

/** How a long-running command serves until it is stopped: by SIGTERM (systemctl stop) or by interrupting it. */
final class Services {
    private Services() {
    }

    /** Something that blocks until the service has stopped. */
    @FunctionalInterface
    interface Await {
        void await() throws InterruptedException;
    }

    /**
     * Blocks in {@code await} until the service stops. On SIGTERM the service is closed and the JVM waits for this
     * thread to return, so that the caller can close the TPM cleanly; an interrupted thread (a test, an embedding
     * program) returns normally too.
     */
    static void serveUntilStopped(Closeable service, Await await) {
        Thread command = Thread.currentThread();
        Thread hook = new Thread(() -> {
            try {
                service.close();
                command.join(5000);
            } catch (IOException | InterruptedException e) {
                // exiting anyway
            }
        }, "service-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            await.await();
        } catch (InterruptedException stopped) {
            // stopped by the embedding thread: return, so that the caller closes the TPM
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // SIGTERM: the hook closed the service and waits for the caller to close the TPM
        }
    }
}
