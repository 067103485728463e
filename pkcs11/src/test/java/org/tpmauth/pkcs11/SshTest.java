package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.Tools;

/**
 * OpenSSH through the token: ssh-keygen -D reads the keys' public halves, and ssh with PKCS11Provider =
 * p11-kit-client.so logs in to an sshd on 127.0.0.1 whose authorized_keys holds the TPM key, EC and RSA.
 */
class SshTest {
    @TempDir
    static Path work;
    private static TpmKeys keys;
    private static Pkcs11Server server;
    private static LoggedProcess sshd;
    private static int port;
    private static List<String> tokenKeys;

    @BeforeAll
    static void start() throws Exception {
        TestKeystore store = TestKeystore.get();
        keys = new TpmKeys(TestKeystore.tpm());
        server = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null), work.resolve("p11.sock"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        tokenKeys = Programs.run(work, env(), "ssh-keygen", "-D", Programs.CLIENT_MODULE).ok().out().lines().toList();
        Programs.run(work, Map.of(), "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", "hostkey").ok();
        Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
        port = LoggedProcess.freePort();
        Files.writeString(work.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + work.resolve("hostkey"),
                "AuthorizedKeysFile " + work.resolve("authorized_keys"), "PubkeyAuthentication yes",
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no",
                "PermitRootLogin prohibit-password", "PidFile " + work.resolve("sshd.pid"), ""));
        Files.writeString(work.resolve("authorized_keys"), "");
        sshd = new LoggedProcess(work, List.of("/usr/sbin/sshd", "-D", "-e", "-f",
                work.resolve("sshd_config").toString()),
                "Server listening on 127.0.0.1 port " + port);
    }

    @AfterAll
    static void stop() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
        server.close();
        keys.close();
    }

    private static Map<String, String> env() {
        return Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + work.resolve("p11.sock"));
    }

    private static Tools.Output ssh() {
        return Programs.run(work, env(), "ssh", "-F", "/dev/null", "-o", "PKCS11Provider=" + Programs.CLIENT_MODULE,
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "IdentityAgent=none", "-p", String.valueOf(port),
                System.getProperty("user.name") + "@127.0.0.1", "echo", "logged in with the TPM key");
    }

    @Test
    void sshKeygenListsTheTokenKeys() {
        assertEquals(2, tokenKeys.size(), tokenKeys::toString);
        assertTrue(tokenKeys.stream().anyMatch(k -> k.startsWith("ecdsa-sha2-nistp256 ")), tokenKeys::toString);
        assertTrue(tokenKeys.stream().anyMatch(k -> k.startsWith("ssh-rsa ")), tokenKeys::toString);
    }

    @Test
    void sshLogsInWithTheTpmKeys() throws Exception {
        for (String type : List.of("ecdsa-sha2-nistp256 ", "ssh-rsa ")) {
            String key = tokenKeys.stream().filter(k -> k.startsWith(type)).findFirst().orElseThrow();
            Files.writeString(work.resolve("authorized_keys"), key + "\n");
            Tools.Output r = ssh();
            assertEquals(0, r.code(), () -> type + r + "\nsshd: " + sshd.log());
            assertEquals("logged in with the TPM key", r.out().strip());
        }
        // a key not in authorized_keys gets no login
        Files.writeString(work.resolve("authorized_keys"), "");
        assertNotEquals(0, ssh().code());
    }
}
