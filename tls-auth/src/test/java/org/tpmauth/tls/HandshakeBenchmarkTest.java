package org.tpmauth.tls;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tls.TpmSslContexts.Engine;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmHandles;

/**
 * TLS 1.3 mutual-auth handshakes per second, one client thread, ~5 s each: EC P-256 client key in the
 * in-process libtpms, in swtpm (TCP), and in software, against a Java server with a software key.
 * Runs only with {@code -Dbenchmark=true}; prints the rates.
 */
class HandshakeBenchmarkTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    private static final long MILLIS = 5000;

    @Test
    void handshakesPerSecond() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("benchmark"), "set -Dbenchmark=true to run");
        TestKeys t = TestKeys.get();
        KeyPair serverKey = TestPki.ecKey();
        X509Certificate serverCert = t.pki.issue(serverKey.getPublic(), "bench server");
        SSLContext server = TpmSslContexts.create(Engine.BC_JSSE, softwareKeyManager(serverKey, serverCert),
                List.of(t.pki.ca));
        SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 64,
                InetAddress.getLoopbackAddress());
        listener.setNeedClientAuth(true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Thread acceptor = new Thread(() -> {
            while (true) {
                try {
                    SSLSocket s = (SSLSocket) listener.accept();
                    s.setTcpNoDelay(true); // else Nagle and delayed ACKs, not the keys, set the pace
                    pool.submit(() -> {
                        try (s; InputStream in = s.getInputStream()) {
                            s.startHandshake();
                            in.read();
                        }
                        return null;
                    });
                } catch (SocketException closed) {
                    return;
                } catch (Exception e) {
                    // next
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        try {
            KeyPair softKey = TestPki.ecKey();
            double software = rate(softwareKeyManager(softKey, t.pki.issue(softKey.getPublic(), "soft")), listener);
            double libtpms = rateWithTpm(TestKeys.tpm(), t, listener);
            Tss2KeyFile onSwtpm;
            try (TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
                onSwtpm = keys.create(KeyAlgorithm.EC_P256, new byte[0], TpmHandles.RH_OWNER);
            }
            double swtpm;
            try (TpmKeys keys = new TpmKeys(SWTPM.tpm())) {
                TpmPrivateKey key = TpmPrivateKey.of(keys, keys.load(onSwtpm, new byte[0]));
                swtpm = rate(TpmKeyManager.of("k", key, List.of(t.pki.issue(key.publicKey(), "swtpm"))), listener);
            }
            System.out.printf("TLS 1.3 handshakes/s (BC-JSSE, mutual auth, EC P-256): software key %.1f,"
                    + " libtpms key %.1f (%.2fx), swtpm key %.1f (%.2fx)%n", software, libtpms, libtpms / software,
                    swtpm, swtpm / software);
            assertTrue(software > 0 && libtpms > 0 && swtpm > 0);
        } finally {
            listener.close();
            pool.shutdownNow();
        }
    }

    private static double rateWithTpm(Tpm tpm, TestKeys t, SSLServerSocket listener) throws Exception {
        try (TpmKeys keys = new TpmKeys(tpm)) {
            return rate(TpmKeyManager.fromFiles(keys, t.keyFile(KeyAlgorithm.EC_P256), t.certFile(KeyAlgorithm.EC_P256),
                    null), listener);
        }
    }

    private static double rate(KeyManager km, SSLServerSocket listener) throws Exception {
        SSLContext client = TpmSslContexts.create(Engine.BC_JSSE, km, List.of(TestKeys.get().pki.ca));
        for (int i = 0; i < 20; i++) { // warm-up
            handshake(client, listener.getLocalPort());
        }
        long start = System.nanoTime();
        int n = 0;
        while (System.nanoTime() - start < MILLIS * 1_000_000L) {
            handshake(client, listener.getLocalPort());
            n++;
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }

    private static void handshake(SSLContext client, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setEnabledProtocols(new String[] {"TLSv1.3"});
            s.setTcpNoDelay(true);
            s.startHandshake();
            s.getOutputStream().write(1); // the server reads one byte: our certificate was accepted
            s.getOutputStream().flush();
        }
    }

    private static KeyManager softwareKeyManager(KeyPair key, X509Certificate cert) throws Exception {
        return TpmSslContexts.softwareKeyManager(Engine.BC_JSSE, key.getPrivate(), List.of(cert));
    }
}
