package org.tpmauth.tss.transport;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of libtpms's C API (libtpms/tpm_library.h, 0.9) the in-process TPM uses, mapped with JNA.
 * Nothing here is thread-safe: every call goes through {@link LibtpmsTcti}'s lock.
 */
interface LibtpmsLibrary extends Library {
    /** TPMLIB_TPM_VERSION_2. */
    int TPM_VERSION_2 = 1;
    int TPM_SUCCESS = 0;
    int TPM_FAIL = 9;
    /** From loaddata: "no such blob"; libtpms then manufactures (permall) or resumes nothing. */
    int TPM_RETRY = 0x800;

    int TPMLIB_ChooseTPMVersion(int version);

    int TPMLIB_RegisterCallbacks(Callbacks callbacks);

    int TPMLIB_MainInit();

    void TPMLIB_Terminate();

    /**
     * Runs one command. {@code respBuffer} points at a malloc'd buffer libtpms grows and reuses, owned
     * by the caller and freed with {@link #TPM_Free}; {@code command} may be modified in place.
     */
    int TPMLIB_Process(PointerByReference respBuffer, IntByReference respSize, IntByReference respBufSize,
            byte[] command, int commandSize);

    /** The one call meant for another thread while Process runs. */
    int TPMLIB_CancelCommand();

    void TPM_Free(Pointer buffer);

    /** TPM_RESULT (*tpm_nvram_init)(void). */
    interface NvramInit extends Callback {
        int invoke();
    }

    /** TPM_RESULT (*tpm_nvram_loaddata)(unsigned char **data, uint32_t *length, uint32_t tpm_number, const char *name). */
    interface LoadData extends Callback {
        int invoke(Pointer data, Pointer length, int tpmNumber, String name);
    }

    /** TPM_RESULT (*tpm_nvram_storedata)(const unsigned char *data, uint32_t length, uint32_t tpm_number, const char *name). */
    interface StoreData extends Callback {
        int invoke(Pointer data, int length, int tpmNumber, String name);
    }

    /** TPM_RESULT (*tpm_nvram_deletename)(uint32_t tpm_number, const char *name, TPM_BOOL mustExist). */
    interface DeleteName extends Callback {
        int invoke(int tpmNumber, String name, byte mustExist);
    }

    /**
     * struct libtpms_callbacks cut after its nvram group (40 bytes on 64-bit): the io group is left
     * out, so libtpms uses locality 0 and makes no upcall per command.
     */
    @Structure.FieldOrder({"sizeOfStruct", "tpm_nvram_init", "tpm_nvram_loaddata", "tpm_nvram_storedata",
            "tpm_nvram_deletename"})
    class Callbacks extends Structure {
        public int sizeOfStruct;
        public NvramInit tpm_nvram_init;
        public LoadData tpm_nvram_loaddata;
        public StoreData tpm_nvram_storedata;
        public DeleteName tpm_nvram_deletename;
    }
}
