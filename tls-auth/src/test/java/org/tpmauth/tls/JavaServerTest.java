package org.tpmauth.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.tls.TpmSslContexts.Engine;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * A Java TLS server whose key is in the TPM (P-384) and clients with TPM keys (P-256, RSA), both sides
 * through the TPM2 provider, on BC-JSSE and SunJSSE; 32 parallel handshakes with one client key.
 */
class JavaServerTest {
    private static TpmKeys keys;
    private static TpmKeyManager serverKeys;
    private static TpmKeyManager ecClient;

    @BeforeAll
    static void load() throws Exception {
        TestKeys t = TestKeys.get();
        for (KeyAlgorithm a : List.of(KeyAlgorithm.EC_P384, KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_2048)) {
            t.keyFile(a); // created before our keys occupy the TPM's object slots
        }
        keys = new TpmKeys(TestKeys.tpm());
        serverKeys = TpmKeyManager.fromFiles(keys, t.keyFile(KeyAlgorithm.EC_P384), t.certFile(KeyAlgorithm.EC_P384), null);
        ecClient = TpmKeyManager.fromFiles(keys, t.keyFile(KeyAlgorithm.EC_P256), t.certFile(KeyAlgorithm.EC_P256), null);
    }

    @AfterAll
    static void unload() {
        keys.close();
    }

    /** An echo server: handshake with client auth, answer "hello CN" to the first line. */
    static final class Server implements AutoCloseable {
        final SSLServerSocket socket;
        final ExecutorService pool = Executors.newFixedThreadPool(8);

        Server(Engine engine, String protocol) throws Exception {
            SSLContext context = TpmSslContexts.create(engine, serverKeys, List.of(TestKeys.get().pki.ca));
            socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 64,
                    InetAddress.getLoopbackAddress());
            socket.setNeedClientAuth(true);
            socket.setEnabledProtocols(new String[] {protocol});
            Thread acceptor = new Thread(this::serve);
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try {
                    SSLSocket s = (SSLSocket) socket.accept();
                    pool.submit(() -> {
                        try (s) {
                            s.startHandshake();
                            X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
                            String line = new BufferedReader(new InputStreamReader(s.getInputStream(),
                                    StandardCharsets.UTF_8)).readLine();
                            PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                            out.println(line + " " + peer.getSubjectX500Principal().getName());
                        }
                        return null;
                    });
                } catch (SocketException closed) {
                    return;
                } catch (Exception e) {
                    // next connection
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            pool.shutdownNow();
        }
    }

    static String exchange(SSLContext client, int port, String protocol) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setEnabledProtocols(new String[] {protocol});
            s.setSoTimeout(30_000);
            s.startHandshake();
            X509Certificate server = (X509Certificate) s.getSession().getPeerCertificates()[0];
            assertEquals("CN=device-ec-p384", server.getSubjectX500Principal().getName());
            PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
            out.println("hello");
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    @ParameterizedTest(name = "server {0}, client {1}, {2}")
    @CsvSource({"BC_JSSE, SUN_JSSE, TLSv1.3", "SUN_JSSE, BC_JSSE, TLSv1.3", "BC_JSSE, BC_JSSE, TLSv1.2",
        "SUN_JSSE, SUN_JSSE, TLSv1.2"})
    void serverKeyInTheTpm(Engine serverEngine, Engine clientEngine, String protocol) throws Exception {
        try (Server server = new Server(serverEngine, protocol)) {
            SSLContext client = TpmSslContexts.create(clientEngine, ecClient, List.of(TestKeys.get().pki.ca));
            assertEquals("hello CN=device-ec-p256", exchange(client, server.socket.getLocalPort(), protocol));
        }
    }

    @Test
    void thirtyTwoParallelHandshakesWithOneKey() throws Exception {
        try (Server server = new Server(Engine.BC_JSSE, "TLSv1.3")) {
            SSLContext client = TpmSslContexts.create(Engine.BC_JSSE, ecClient, List.of(TestKeys.get().pki.ca));
            ExecutorService clients = Executors.newFixedThreadPool(32);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    results.add(clients.submit(() -> exchange(client, server.socket.getLocalPort(), "TLSv1.3")));
                }
                for (Future<String> r : results) {
                    assertEquals("hello CN=device-ec-p256", r.get(60, TimeUnit.SECONDS));
                }
            } finally {
                clients.shutdownNow();
            }
            assertTrue(server.socket.isBound());
        }
    }
}
