package org.tpmauth.tss.transport;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The libtpms TPM 2.0 engine loaded into this process with JNA: a TPM without a daemon, its NVRAM in a
 * state directory. The call sequence follows libtpms 0.9: ChooseTPMVersion(2.0), RegisterCallbacks
 * (nvram group), MainInit, TPM2_Startup(SU_CLEAR); at close TPM2_Shutdown(SU_CLEAR), then Terminate,
 * also from a JVM shutdown hook, so the TPM never sees an unorderly shutdown (which would count
 * against its dictionary-attack lockout).
 *
 * <p>libtpms keeps its TPM in global variables: one engine per process. A second {@link #open} while
 * one is open is refused; open after close works. The state directory is locked so that two processes
 * never share it. libtpms is not thread-safe, so every call into it holds one lock, except
 * {@link #cancel()}, which libtpms provides for exactly that.
 */
public final class LibtpmsTcti implements Tcti {
    static final String LIBRARY = "libtpms.so.0";
    private static final ReentrantLock LOCK = new ReentrantLock();
    /** The open engine; guarded by LOCK. */
    private static LibtpmsTcti current;
    private static boolean hookInstalled;

    private final LibtpmsLibrary lib;
    private final LibtpmsStateDir state;
    private final LibtpmsNvram nvram;
    // libtpms's response buffer: malloc'd and grown by libtpms, reused, freed at close
    private final PointerByReference response = new PointerByReference();
    private final IntByReference responseSize = new IntByReference();
    private final IntByReference responseCapacity = new IntByReference(0);
    private volatile boolean closed;

    private LibtpmsTcti(LibtpmsLibrary lib, LibtpmsStateDir state) {
        this.lib = lib;
        this.state = state;
        this.nvram = new LibtpmsNvram(state);
    }

    /**
     * Starts the in-process TPM with its NVRAM in {@code stateDir} (created if missing; a new
     * directory gets a freshly manufactured TPM).
     */
    public static LibtpmsTcti open(Path stateDir) {
        return open(stateDir, LIBRARY);
    }

    static LibtpmsTcti open(Path stateDir, String libraryName) {
        LOCK.lock();
        try {
            if (current != null) {
                throw new TpmTransportException("the in-process libtpms TPM is already open in this process (state dir "
                        + current.state.dir() + "); close it first or use swtpm");
            }
            LibtpmsLibrary lib = load(libraryName);
            LibtpmsStateDir state = LibtpmsStateDir.lock(stateDir.toAbsolutePath());
            LibtpmsTcti tcti = new LibtpmsTcti(lib, state);
            try {
                tcti.start();
            } catch (RuntimeException e) {
                state.close();
                throw e;
            }
            current = tcti;
            installShutdownHook();
            return tcti;
        } finally {
            LOCK.unlock();
        }
    }

    private static LibtpmsLibrary load(String name) {
        try {
            return Native.load(name, LibtpmsLibrary.class);
        } catch (UnsatisfiedLinkError e) {
            throw new TpmTransportException("libtpms is not installed: apt-get install libtpms0 (loading " + name
                    + " failed: " + e.getMessage() + ")", e);
        }
    }

    private void start() {
        check(lib.TPMLIB_ChooseTPMVersion(LibtpmsLibrary.TPM_VERSION_2), "TPMLIB_ChooseTPMVersion(TPM 2.0)");
        check(lib.TPMLIB_RegisterCallbacks(nvram.callbacks()), "TPMLIB_RegisterCallbacks");
        int rc = lib.TPMLIB_MainInit();
        if (rc != 0) {
            Throwable cause = nvram.takeFailure();
            lib.TPMLIB_Terminate();
            throw new TpmTransportException(String.format("libtpms could not start the TPM from %s "
                    + "(TPMLIB_MainInit: 0x%x)%s", state.dir(), rc, cause != null ? ": " + cause.getMessage()
                    : rc == 0x101 ? ": " + state.dir().resolve("permall.bin") + " is damaged or not a libtpms "
                    + "TPM 2.0 state" : ""), cause);
        }
        try {
            int startup = TpmFrames.responseCode(process(TpmFrames.startupClear()));
            if (startup != 0) {
                throw new TpmTransportException(String.format("libtpms answered TPM2_Startup(SU_CLEAR) with TPM_RC "
                        + "0x%03x (state %s)", startup, state.dir()));
            }
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    private void check(int rc, String call) {
        if (rc != 0) {
            throw new TpmTransportException(String.format("libtpms refused %s with 0x%x", call, rc));
        }
    }

    private static void installShutdownHook() {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(LibtpmsTcti::closeAtExit, "libtpms shutdown"));
            hookInstalled = true;
        }
    }

    /**
     * Closes the engine this process has open, if any, waiting a few seconds at most for a command
     * running on another thread. When it returns, libtpms writes nothing more to its state directory
     * (for shutdown hooks that remove it; the JVM runs hooks in no order).
     */
    public static void closeAtExit() {
        try {
            // a command still running on another thread gets a few seconds; exit must not hang
            if (LOCK.tryLock(5, TimeUnit.SECONDS)) {
                try {
                    if (current != null) {
                        current.close();
                    }
                } finally {
                    LOCK.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs one command; the caller holds LOCK. */
    private byte[] process(byte[] command) {
        // a copy: libtpms may decrypt parameters in place
        int rc = lib.TPMLIB_Process(response, responseSize, responseCapacity, command.clone(), command.length);
        Throwable failure = nvram.takeFailure();
        if (failure != null) {
            throw new TpmTransportException("libtpms could not save its state in " + state.dir() + " during "
                    + TpmFrames.commandName(command)
                    + " (" + failure.getMessage() + "); the command's effect is not saved and the TPM is in failure "
                    + "mode until it is closed and opened again, which reloads the last saved state", failure);
        }
        if (rc != 0) {
            throw new TpmTransportException(String.format("libtpms failed to run %s: TPMLIB_Process returned 0x%x "
                    + "(out of memory?)", TpmFrames.commandName(command), rc));
        }
        int size = responseSize.getValue();
        if (size < TpmFrames.HEADER || size > responseCapacity.getValue()) {
            throw new TpmTransportException("libtpms returned " + size + " bytes for " + TpmFrames.commandName(command)
                    + ", not a TPM response (is the TPM initialised?)");
        }
        return response.getValue().getByteArray(0, size);
    }

    @Override
    public byte[] transmit(byte[] command) {
        LOCK.lock();
        try {
            if (closed) {
                throw new TpmTransportException("the in-process libtpms TPM (state dir " + state.dir()
                        + ") is closed; open it again with LibtpmsTcti.open");
            }
            return process(command);
        } finally {
            LOCK.unlock();
        }
    }

    /** TPMLIB_CancelCommand: a long command (RSA key generation) ends early with TPM_RC_CANCELED. */
    @Override
    public void cancel() {
        if (!closed) {
            lib.TPMLIB_CancelCommand();
        }
    }

    /** The state directory. */
    public Path stateDir() {
        return state.dir();
    }

    @Override
    public String describe() {
        return "libtpms:" + state.dir();
    }

    /** TPM2_Shutdown(SU_CLEAR), TPMLIB_Terminate, then the state directory is unlocked. Idempotent. */
    @Override
    public void close() {
        LOCK.lock();
        try {
            if (closed) {
                return;
            }
            try {
                process(TpmFrames.shutdownClear());
            } catch (TpmTransportException ignored) {
                // the TPM stops either way; a failed save was already reported by the command that caused it
            } finally {
                release();
                state.close();
            }
        } finally {
            LOCK.unlock();
        }
    }

    /** Terminate and free; the caller holds LOCK. */
    private void release() {
        lib.TPMLIB_Terminate();
        Pointer buffer = response.getValue();
        if (buffer != null) {
            lib.TPM_Free(buffer);
            response.setValue(null);
        }
        closed = true;
        if (current == this) {
            current = null;
        }
    }
}
