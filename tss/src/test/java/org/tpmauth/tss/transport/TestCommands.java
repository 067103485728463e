package org.tpmauth.tss.transport;

import java.security.SecureRandom;
import java.util.List;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.NvDefineSpace;
import org.tpmauth.tss.commands.NvReadPublic;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicId;

/** TPM work the transport tests use to observe state and to keep the TPM busy. */
final class TestCommands {
    private TestCommands() {
    }

    /** Defines an ordinary 8-byte NV index, owner/auth read-write, empty auth. */
    static void defineNv(Tpm tpm, int nvIndex) {
        tpm.execute(new NvDefineSpace(TpmHandles.RH_OWNER, new byte[0], new TpmsNvPublic(nvIndex, TpmAlg.SHA256,
                TpmaNv.OWNERWRITE | TpmaNv.AUTHWRITE | TpmaNv.OWNERREAD | TpmaNv.AUTHREAD, new byte[0], 8)));
    }

    /** The index's Name (TPM_RC_HANDLE when it is undefined). */
    static byte[] nvName(Tpm tpm, int nvIndex) {
        return tpm.execute(new NvReadPublic(nvIndex)).nvName();
    }

    /**
     * Creates an RSA-2048 storage primary, slow enough (key generation) to be cancelled or killed. A
     * random unique field makes it a new key each time, never one the TPM computed before.
     */
    static int createRsaPrimary(Tpm tpm) {
        TpmtPublic t = KeyTemplates.storagePrimaryRsa();
        byte[] unique = new byte[256];
        new SecureRandom().nextBytes(unique);
        TpmtPublic template = new TpmtPublic(t.nameAlg(), t.objectAttributes(), t.authPolicy(), t.parameters(),
                new TpmuPublicId.Rsa(unique));
        return tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, TpmsSensitiveCreate.EMPTY, template, new byte[0],
                List.of())).objectHandle();
    }
}
