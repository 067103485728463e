package org.tpmauth.tss.transport;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * libtpms's nvram callbacks, backed by a {@link LibtpmsStateDir}. libtpms calls them synchronously
 * inside MainInit and Process. A Java exception must never reach JNA (it would answer 0, "success",
 * for a failed write), so each callback catches everything, answers TPM_FAIL and keeps the cause for
 * the caller's message. The struct and the callback objects are held here for as long as libtpms
 * may call them.
 */
final class LibtpmsNvram {
    private final LibtpmsStateDir state;
    private final LibtpmsLibrary.Callbacks callbacks = new LibtpmsLibrary.Callbacks();
    private volatile Throwable failure;

    LibtpmsNvram(LibtpmsStateDir state) {
        this.state = state;
        callbacks.tpm_nvram_init = () -> LibtpmsLibrary.TPM_SUCCESS;
        callbacks.tpm_nvram_loaddata = this::load;
        callbacks.tpm_nvram_storedata = this::store;
        callbacks.tpm_nvram_deletename = this::delete;
        callbacks.sizeOfStruct = callbacks.size();
        callbacks.write();
    }

    LibtpmsLibrary.Callbacks callbacks() {
        return callbacks;
    }

    /** The first callback failure since the last call, or null; clears it. */
    Throwable takeFailure() {
        Throwable f = failure;
        failure = null;
        return f;
    }

    private int fail(Throwable t, String what) {
        if (failure == null) {
            failure = new java.io.IOException(what + " failed: " + t, t);
        }
        return LibtpmsLibrary.TPM_FAIL;
    }

    private int load(Pointer data, Pointer length, int tpmNumber, String name) {
        try {
            byte[] blob = state.load(name);
            if (blob == null) {
                // "volatilestate" is never written here, so it is always answered this way
                return LibtpmsLibrary.TPM_RETRY;
            }
            // libtpms free()s this buffer: it must come from malloc, never from Java-managed memory
            long address = Native.malloc(Math.max(1, blob.length));
            if (address == 0) {
                return fail(new OutOfMemoryError("malloc(" + blob.length + ")"), "loading " + name);
            }
            Pointer buffer = new Pointer(address);
            buffer.write(0, blob, 0, blob.length);
            data.setPointer(0, buffer);
            length.setInt(0, blob.length);
            return LibtpmsLibrary.TPM_SUCCESS;
        } catch (Throwable t) {
            return fail(t, "loading " + name + " from " + state.dir());
        }
    }

    private int store(Pointer data, int length, int tpmNumber, String name) {
        try {
            state.store(name, data.getByteArray(0, length));
            return LibtpmsLibrary.TPM_SUCCESS;
        } catch (Throwable t) {
            return fail(t, "saving " + name + " in " + state.dir());
        }
    }

    private int delete(int tpmNumber, String name, byte mustExist) {
        try {
            return state.delete(name) || mustExist == 0 ? LibtpmsLibrary.TPM_SUCCESS : LibtpmsLibrary.TPM_FAIL;
        } catch (Throwable t) {
            return fail(t, "deleting " + name + " in " + state.dir());
        }
    }
}
