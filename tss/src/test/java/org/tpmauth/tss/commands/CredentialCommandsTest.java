package org.tpmauth.tss.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_MakeCredential and TPM2_ActivateCredential on swtpm. The EK (tpm2_createek, RSA L-1 template)
 * can only be used through a PolicySecret(TPM_RH_ENDORSEMENT) session, which this module does not
 * have yet: for it, tpm2_activatecredential recovers what our MakeCredential produced. Our
 * ActivateCredential runs against an EK-like restricted decryption key that accepts a password.
 */
class CredentialCommandsTest {
    private static final int EK = 0x81010001;
    private static final int PASSWORD_EK = 0x81010002;
    private static final int AK = 0x81000020;
    private static final byte[] CREDENTIAL = "0123456789abcdef0123456789abcdef".getBytes();
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static Tpm tpm;
    private static byte[] akName;

    @BeforeAll
    static void persistKeys() throws Exception {
        tpm = SWTPM.tpm();
        Tools.run(SWTPM, "tpm2_createek", "-c", TpmHandles.hex(EK), "-G", "rsa", "-u", "ek.pub");
        Tools.run(SWTPM, "tpm2_createak", "-C", TpmHandles.hex(EK), "-c", "ak.ctx", "-G", "ecc", "-g", "sha256", "-s",
                "ecdsa", "-u", "ak.pub", "-n", "ak.name");
        Tools.run(SWTPM, "tpm2_evictcontrol", "-C", "o", "-c", "ak.ctx", TpmHandles.hex(AK));
        // swtpm has three object slots and no resource manager: free them between the tools
        Tools.run(SWTPM, "tpm2_flushcontext", "-t");
        Tools.run(SWTPM, "tpm2_flushcontext", "-s");
        Tools.run(SWTPM, "tpm2_createprimary", "-C", "e", "-G", "rsa2048:aes128cfb", "-a",
                "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|decrypt", "-c", "ek2.ctx");
        Tools.run(SWTPM, "tpm2_evictcontrol", "-C", "o", "-c", "ek2.ctx", TpmHandles.hex(PASSWORD_EK));
        Tools.run(SWTPM, "tpm2_flushcontext", "-t");
        Tools.run(SWTPM, "tpm2_flushcontext", "-s");
        akName = Files.readAllBytes(SWTPM.workDir().resolve("ak.name"));
    }

    @Test
    void tpm2ActivatecredentialRecoversWhatMakeCredentialProtected() throws Exception {
        MakeCredential.Response made = tpm.execute(new MakeCredential(EK, CREDENTIAL, akName));
        assertEquals(2 + 32 + 2 + CREDENTIAL.length, made.credentialBlob().length, "HMAC and encrypted credential");
        assertEquals(256, made.secret().length, "the seed, RSA-OAEP encrypted to the 2048-bit EK");
        // tpm2-tools' credential file: magic, version, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET
        byte[] file = TpmWriter.marshal(w -> w.u32(0xBADCC0DE).u32(1).sized(made.credentialBlob()).sized(made.secret()));
        Files.write(SWTPM.workDir().resolve("cred.in"), file);

        Tools.run(SWTPM, "tpm2_startauthsession", "--policy-session", "-S", "session.ctx");
        Tools.run(SWTPM, "tpm2_policysecret", "-S", "session.ctx", "-c", "e");
        Tools.run(SWTPM, "tpm2_activatecredential", "-c", TpmHandles.hex(AK), "-C", TpmHandles.hex(EK),
                "-i", "cred.in", "-o", "out.bin", "-P", "session:session.ctx");
        Tools.run(SWTPM, "tpm2_flushcontext", "session.ctx");
        assertArrayEquals(CREDENTIAL, Files.readAllBytes(SWTPM.workDir().resolve("out.bin")));
    }

    @Test
    void activateCredentialRecoversTheCredential() {
        MakeCredential.Response made = tpm.execute(new MakeCredential(PASSWORD_EK, CREDENTIAL, akName));
        ActivateCredential.Response r = tpm.execute(new ActivateCredential(AK, PASSWORD_EK, made.credentialBlob(),
                made.secret()));
        assertArrayEquals(CREDENTIAL, r.certInfo());
        assertFalse(r.toString().contains("0123"), r.toString());
        assertFalse(new MakeCredential(EK, CREDENTIAL, akName).toString().contains("0123"));
    }

    @Test
    void aCredentialForAnotherNameIsRefused() {
        byte[] otherName = akName.clone();
        otherName[otherName.length - 1] ^= 1;
        MakeCredential.Response made = tpm.execute(new MakeCredential(PASSWORD_EK, CREDENTIAL, otherName));
        TpmResponseException e = assertThrows(TpmResponseException.class, () -> tpm.execute(
                new ActivateCredential(AK, PASSWORD_EK, made.credentialBlob(), made.secret())));
        assertEquals(0x9F, e.baseCode()); // TPM_RC_INTEGRITY

        byte[] broken = made.secret().clone();
        broken[0] ^= 1;
        MakeCredential.Response good = tpm.execute(new MakeCredential(PASSWORD_EK, CREDENTIAL, akName));
        assertThrows(TpmResponseException.class, () -> tpm.execute(
                new ActivateCredential(AK, PASSWORD_EK, good.credentialBlob(), Arrays.copyOf(broken, broken.length))));
    }
}
