package org.tpmauth.tss;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.TpmCommand;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Command timeouts for {@link Tpm}: a timed command's exchange runs on a worker thread while its
 * caller waits at most until the deadline. An exchange given up keeps running (a transport cannot take
 * a command back); the next command waits for it, and its answer is discarded: an object or session
 * it created is flushed, as nobody learns its handle. Commands without a deadline (0) run on the
 * caller's thread. Callers hold their turn in the Tpm's queue around {@link #transmit}.
 */
final class TimedExchange {
    private final Tcti channel;
    private ExecutorService worker;
    /** An exchange given up whose answer has not arrived yet. */
    private CompletableFuture<byte[]> pending;

    TimedExchange(Tcti channel) {
        this.channel = channel;
    }

    /** Waits for the command's turn in the Tpm's queue, until the deadline at most. */
    void lock(CommandQueue queue, TpmCommand<?> command, long deadline) {
        if (deadline == 0) {
            queue.acquire(command.handles());
            return;
        }
        try {
            if (!queue.acquire(command.handles(), deadline)) {
                throw new TpmTimeoutException(command.commandCode(), "timed out waiting for the commands of other "
                        + "threads; it was not sent");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TpmException("interrupted while waiting to send " + name(command));
        }
    }

    byte[] transmit(byte[] request, TpmCommand<?> command, long deadline) {
        awaitPending(command, deadline);
        if (deadline == 0) {
            return channel.transmit(request);
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        AtomicBoolean claimed = new AtomicBoolean();
        boolean returnsHandle = command.responseHandleCount() > 0;
        worker().execute(() -> {
            try {
                byte[] response = channel.transmit(request);
                if (claimed.compareAndSet(false, true)) {
                    result.complete(response);
                } else {
                    discard(response, returnsHandle);
                }
            } catch (RuntimeException e) {
                claimed.set(true);
                result.completeExceptionally(e);
            } finally {
                result.complete(null); // releases the next command when the answer was discarded
            }
        });
        try {
            result.get(remaining(deadline), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (claimed.compareAndSet(false, true)) {
                pending = result;
                throw new TpmTimeoutException(command.commandCode(), "did not complete in time; the TPM finishes "
                        + "it in the background and its answer is discarded");
            }
            // the answer arrived just now
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (claimed.compareAndSet(false, true)) {
                pending = result;
                throw new TpmException("interrupted while waiting for the TPM to answer " + name(command)
                        + "; its answer is discarded");
            }
        } catch (ExecutionException e) {
            // answer() reports it
        }
        return answer(result);
    }

    private void awaitPending(TpmCommand<?> command, long deadline) {
        if (pending == null) {
            return;
        }
        try {
            if (deadline == 0) {
                pending.get();
            } else {
                pending.get(remaining(deadline), TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException e) {
            throw new TpmTimeoutException(command.commandCode(), "timed out waiting for an earlier command that "
                    + "timed out to finish in the TPM; it was not sent");
        } catch (ExecutionException e) {
            // the earlier command's failure was nobody's business anymore
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TpmException("interrupted while waiting to send " + name(command));
        }
        pending = null;
    }

    /** Flushes what a discarded answer created. */
    private void discard(byte[] response, boolean returnsHandle) {
        TpmReader in = new TpmReader(response);
        in.u16();
        in.u32();
        if (in.u32() != TpmRc.SUCCESS || !returnsHandle) {
            return;
        }
        int handle = in.u32();
        int type = TpmHandles.type(handle);
        if (type == TpmHandles.HT_TRANSIENT || type == TpmHandles.HT_HMAC_SESSION
                || type == TpmHandles.HT_POLICY_SESSION) {
            FlushContext flush = new FlushContext(handle);
            byte[] parameters = TpmWriter.marshal(flush::marshalParameters);
            channel.transmit(TpmWriter.marshal(out -> out.u16(TpmSt.NO_SESSIONS).u32(10 + parameters.length)
                    .u32(flush.commandCode()).bytes(parameters)));
        }
    }

    private synchronized ExecutorService worker() {
        if (worker == null) {
            worker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "tpm timed commands");
                t.setDaemon(true);
                return t;
            });
        }
        return worker;
    }

    /** Waits for a command given up, then stops the worker. */
    void close() {
        awaitPending(null, 0);
        if (worker != null) {
            worker.shutdown();
        }
    }

    private static byte[] answer(CompletableFuture<byte[]> result) {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new TpmException(e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TpmException("interrupted while waiting for the TPM");
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    private static String name(TpmCommand<?> command) {
        return command == null ? "a command" : org.tpmauth.tss.types.TpmCc.nameOf(command.commandCode());
    }
}
