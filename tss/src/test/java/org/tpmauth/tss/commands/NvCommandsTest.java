package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmsNvPublic;

/** NV_DefineSpace, NV_Write, NV_Read, NV_ReadPublic and NV_UndefineSpace on swtpm. */
class NvCommandsTest {
    /** One index per test, so that a test failing halfway leaves the others a clean TPM. */
    private static final int INDEX = 0x01500010;
    private static final int PASSWORD_INDEX = 0x01500011;
    private static final int ATTRS = TpmaNv.OWNERWRITE | TpmaNv.OWNERREAD | TpmaNv.AUTHWRITE | TpmaNv.AUTHREAD
            | TpmaNv.NO_DA;

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private final Tpm tpm = SWTPM.tpm();

    private static byte[] toolName(int index) {
        return Tools.hexField(Tools.run(SWTPM, "tpm2_nvreadpublic", TpmHandles.hex(index)), "name");
    }

    @Test
    void defineWriteReadPublicUndefine() {
        byte[] policy = new byte[32];
        Arrays.fill(policy, (byte) 0x5a);
        TpmsNvPublic defined = new TpmsNvPublic(INDEX, TpmAlg.SHA256, ATTRS, policy, 64);
        tpm.execute(new NvDefineSpace(TpmHandles.RH_OWNER, new byte[0], defined));

        NvReadPublic.Response pub = tpm.execute(new NvReadPublic(INDEX));
        assertArrayEquals(defined.toBytes(), pub.nvPublic().toBytes());
        assertArrayEquals(pub.nvName(), pub.nvPublic().name());
        assertArrayEquals(pub.nvName(), toolName(INDEX));

        byte[] data = "hello, NV".getBytes(StandardCharsets.US_ASCII);
        tpm.execute(new NvWrite(TpmHandles.RH_OWNER, INDEX, data, 3));
        byte[] read = tpm.execute(new NvRead(TpmHandles.RH_OWNER, INDEX, data.length, 3)).data();
        assertArrayEquals(data, read);

        NvReadPublic.Response written = tpm.execute(new NvReadPublic(INDEX));
        assertTrue((written.nvPublic().attributes() & TpmaNv.WRITTEN) != 0);
        assertFalse(Arrays.equals(pub.nvName(), written.nvName()), "the Name changes once WRITTEN is set");
        assertArrayEquals(written.nvName(), written.nvPublic().name());
        assertArrayEquals(written.nvName(), toolName(INDEX));

        tpm.execute(new NvUndefineSpace(TpmHandles.RH_OWNER, INDEX));
        TpmResponseException gone = assertThrows(TpmResponseException.class, () -> tpm.execute(new NvReadPublic(INDEX)));
        assertEquals(0x08B, gone.baseCode()); // TPM_RC_HANDLE
    }

    @Test
    void indexWithItsOwnPassword() throws Exception {
        int index = PASSWORD_INDEX;
        byte[] password = "nv-secret".getBytes(StandardCharsets.US_ASCII);
        TpmsNvPublic nv = new TpmsNvPublic(index, TpmAlg.SHA1, ATTRS, new byte[0], 16);
        NvDefineSpace define = new NvDefineSpace(TpmHandles.RH_OWNER, password, nv);
        assertFalse(define.toString().contains("nv-secret"));
        tpm.execute(define);
        assertArrayEquals(tpm.execute(new NvReadPublic(index)).nvName(), toolName(index));

        byte[] secret = new byte[16];
        Arrays.fill(secret, (byte) 0x42);
        tpm.execute(new NvWrite(index, index, secret, 0), PasswordSession.of(password));
        NvRead.Response r = tpm.execute(new NvRead(index, index, 16, 0), PasswordSession.of(password));
        assertArrayEquals(secret, r.data());
        assertFalse(r.toString().contains("42") || r.toString().contains("B"), r.toString());
        Tools.run(SWTPM, "tpm2_nvread", TpmHandles.hex(index), "-C", "o", "-s", "16", "-o", "nv.bin");
        assertArrayEquals(secret, Files.readAllBytes(SWTPM.workDir().resolve("nv.bin")));

        TpmResponseException wrong = assertThrows(TpmResponseException.class,
                () -> tpm.execute(new NvRead(index, index, 16, 0), PasswordSession.of("nope".getBytes())));
        assertEquals(0xA2, wrong.baseCode()); // TPM_RC_BAD_AUTH: NO_DA index
        TpmResponseException tooFar = assertThrows(TpmResponseException.class,
                () -> tpm.execute(new NvRead(TpmHandles.RH_OWNER, index, 16, 1)));
        assertTrue(tooFar.responseCode() != 0);
        tpm.execute(new NvUndefineSpace(TpmHandles.RH_OWNER, index));
    }
}
