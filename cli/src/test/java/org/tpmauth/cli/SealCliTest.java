package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.SwtpmExtension;

/** seal / unseal against a real swtpm: password, PCR policy (refused after tpm2_pcrextend), help. */
class SealCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    private static Path secret;
    private static Path password;
    private static Path wrong;

    @BeforeAll
    static void writeFiles() throws IOException {
        secret = Files.writeString(dir.resolve("secret.txt"), "disk key 0123456789");
        password = Files.writeString(dir.resolve("pw.txt"), "sealing password\n");
        wrong = Files.writeString(dir.resolve("wrong.txt"), "not it\n");
    }

    private static Cli.Result tpmauth(String... args) {
        return Cli.tpmauthOn(SWTPM.tcti(), args);
    }

    @Test
    void passwordRoundTripToStdoutAndFileAndWrongPasswordFails() throws Exception {
        Path sealed = dir.resolve("pw-sealed.pem");
        tpmauth("seal", "--in", secret.toString(), "--password-file", password.toString(), "--out", sealed.toString())
                .ok();
        assertEquals(Tss2KeyFile.KeyType.SEALED, Tss2KeyFile.read(sealed).type());
        assertEquals("disk key 0123456789",
                tpmauth("unseal", "--in", sealed.toString(), "--password-file", password.toString()).ok().out());
        Path out = dir.resolve("unsealed.bin");
        tpmauth("unseal", "--in", sealed.toString(), "--password-file", password.toString(), "--out", out.toString())
                .ok();
        assertArrayEquals(Files.readAllBytes(secret), Files.readAllBytes(out));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));

        String error = tpmauth("unseal", "--in", sealed.toString(), "--password-file", wrong.toString()).fails();
        assertTrue(error.contains("TPM_RC_AUTH_FAIL"), error);
    }

    @Test
    void pcrPolicyRefusedAfterPcrExtendNamingThePolicy() {
        Path sealed = dir.resolve("pcr-sealed.pem");
        tpmauth("seal", "--in", secret.toString(), "--pcr-policy", "sha256:16", "--out", sealed.toString()).ok();
        assertEquals("disk key 0123456789", tpmauth("unseal", "--in", sealed.toString()).ok().out());

        Cli.tool(dir, "tpm2_pcrextend", "-T", SWTPM.tcti(),
                "16:sha256=0000000000000000000000000000000000000000000000000000000000000000").succeeded();
        String error = tpmauth("unseal", "--in", sealed.toString()).fails();
        assertTrue(error.contains("PolicyPCR(sha256:[16])"), error);
    }

    @Test
    void helpDescribesBothCommands() {
        String seal = Cli.tpmauth("seal", "--help").ok().out();
        assertTrue(seal.contains("--pcr-policy") && seal.contains("2.23.133.10.1.5"), seal);
        assertTrue(!seal.contains("--policy-signature"), seal);
        String unseal = Cli.tpmauth("unseal", "--help").ok().out();
        assertTrue(unseal.contains("--password-file") && unseal.contains("standard output"), unseal);
        assertTrue(StandardCharsets.UTF_8.newEncoder().canEncode(unseal));
    }
}
