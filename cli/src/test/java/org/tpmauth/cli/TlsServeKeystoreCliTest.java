package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * A server command takes --key keystore:PATH as the client commands do: `tpmauth tls serve` with a FAPI keystore
 * key (found through --fapi-config) completes TLS 1.3 handshakes that the JDK's client verifies against the key
 * the keystore exports. A TPM of its own: the server keeps its connection open until the class ends.
 */
class TlsServeKeystoreCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @Test
    void tlsServeSignsHandshakesWithAKeystoreKey() throws Exception {
        Path dir = SWTPM.workDir();
        Path config = KeystoreCliTest.fapiConfig(SWTPM);
        KeystoreCliTest.ks(SWTPM, config, "provision").ok();
        KeystoreCliTest.ks(SWTPM, config, "create", "/HS/SRK/tlsServer", "--type", "sign,noDa").ok();
        PublicKey serverKey = KeystoreCliTest.pem(KeystoreCliTest.ks(SWTPM, config, "export", "/HS/SRK/tlsServer").ok().out());
        TestPki pki = new TestPki("keystore server test");
        X509Certificate serverCert = pki.issue(serverKey, "localhost");
        KeyPair clientKey = TestPki.ecKey();
        X509Certificate clientCert = pki.issue(clientKey.getPublic(), "client");
        TestPki.writePem(dir.resolve("server.pem"), serverCert);
        TestPki.writePem(dir.resolve("ca.pem"), pki.ca);

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ByteArrayOutputStream served = new ByteArrayOutputStream();
        SWTPM.disconnect();
        Thread server = new Thread(() -> Main.run(new PrintStream(served, true), System.err, "--tcti", SWTPM.tcti(),
                "tls", "serve", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--key",
                "keystore:/HS/SRK/tlsServer", "--fapi-config", config.toString(), "--cert", dir.resolve("server.pem").toString(),
                "--ca", dir.resolve("ca.pem").toString()), "tls-serve");
        server.setDaemon(true);
        server.start();
        Cli.awaitPort(port);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.ca);
        KeyStore identity = KeyStore.getInstance("PKCS12");
        identity.load(null, null);
        identity.setKeyEntry("client", clientKey.getPrivate(), new char[0], new Certificate[] {clientCert});
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(identity, new char[0]);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            assertEquals(serverKey, socket.getSession().getPeerCertificates()[0].getPublicKey());
            socket.getOutputStream().write("through the keystore\n".getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("through the keystore", in.readLine());
        }
        assertTrue(served.toString().contains("accepted CN=client"), served::toString);
    }
}
