package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.Tools;

/**
 * The token with real programs at once and across a restart: two pkcs11-tool loops sign at the same
 * time (openssl verifies every signature); an openssl s_server whose key is in the token (libp11's engine,
 * its session held open) fails its next handshake after the service restarts, and a newly started
 * s_server works again.
 */
class ProgramsAtOnceTest {
    private static final String EC_KEY = "pkcs11:token=tpmauth;object=ec;type=private";

    @TempDir
    Path work;

    private Pkcs11Server serve(TpmKeys keys, TestKeystore store) throws Exception {
        return Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null), work.resolve("p11.sock"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void twoPkcs11ToolLoopsSignAtOnce() throws Exception {
        TestKeystore store = TestKeystore.get();
        Programs.openssl(work, "x509", "-in", store.dir.resolve("ec.crt").toString(), "-pubkey", "-noout", "-out",
                "pub.pem").ok();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (TpmKeys keys = new TpmKeys(TestKeystore.tpm()); Pkcs11Server server = serve(keys, store)) {
            List<Future<Integer>> loops = new ArrayList<>();
            for (int program = 0; program < 2; program++) {
                int p = program;
                loops.add(pool.submit(() -> {
                    int verified = 0;
                    for (int i = 0; i < 4; i++) {
                        String name = p + "-" + i;
                        Files.write(work.resolve("digest-" + name),
                                MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
                        Programs.pkcs11Tool(work, server.socket(), "--sign", "--label", "ec", "--mechanism", "ECDSA",
                                "--signature-format", "openssl", "-i", "digest-" + name, "-o", "sig-" + name).ok();
                        Programs.openssl(work, "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-in",
                                "digest-" + name, "-sigfile", "sig-" + name).ok();
                        verified++;
                    }
                    return verified;
                }));
            }
            for (Future<Integer> loop : loops) {
                assertEquals(4, loop.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void programHoldingASessionFailsAfterARestartAndANewOneWorks() throws Exception {
        TestKeystore store = TestKeystore.get();
        try (TpmKeys keys = new TpmKeys(TestKeystore.tpm())) {
            Pkcs11Server first = serve(keys, store);
            try (TlsServer holding = new TlsServer(first.socket(), store)) {
                assertHandshakes(holding, store);
                first.close();
                try (Pkcs11Server second = serve(keys, store)) {
                    // p11-kit's client never reconnects: the program that held a session gets an error
                    Tools.Output failed = sClient(holding, store);
                    assertFalse(established(failed), failed::toString);
                    // libp11 reports the client module's CKR_DEVICE_ERROR for the CertificateVerify signature
                    holding.awaitLog("PKCS#11 module:ERR_CKR_error:Device error", Duration.ofSeconds(5));
                    assertTrue(holding.process().isAlive(), "an error, not a crash");
                    try (TlsServer restarted = new TlsServer(second.socket(), store)) {
                        assertHandshakes(restarted, store);
                    }
                }
            }
        }
    }

    /**
     * s_client against {@code server}: TLS 1.3, so the server signs its CertificateVerify with the token's
     * key and s_client checks that signature (the certificate is a client certificate, so its purpose
     * check is not asked for).
     */
    private Tools.Output sClient(TlsServer server, TestKeystore store) {
        return Programs.run(work, Map.of(), "openssl", "s_client", "-connect", "127.0.0.1:" + server.port, "-CAfile",
                store.caPem.toString(), "-brief");
    }

    private static boolean established(Tools.Output r) {
        return (r.out() + r.err()).contains("CONNECTION ESTABLISHED");
    }

    private void assertHandshakes(TlsServer server, TestKeystore store) {
        Tools.Output r = sClient(server, store);
        assertTrue(established(r), () -> r + "\ns_server:\n" + server.log());
    }

    /** openssl s_server whose key is the token's EC key, through libp11's engine and p11-kit's client. */
    private final class TlsServer extends LoggedProcess {
        final int port;

        TlsServer(Path socket, TestKeystore store) throws Exception {
            this(socket, store, freePort());
        }

        private TlsServer(Path socket, TestKeystore store, int port) throws Exception {
            super(work, List.of("env", "P11_KIT_SERVER_ADDRESS=unix:path=" + socket, "PKCS11_MODULE_PATH="
                    + Programs.CLIENT_MODULE, "openssl", "s_server", "-accept", "127.0.0.1:" + port, "-engine", "pkcs11",
                    "-keyform", "engine", "-key", EC_KEY, "-cert", store.dir.resolve("ec.crt").toString(), "-tls1_3",
                    "-www"), "ACCEPT");
            this.port = port;
        }
    }
}
