package org.tpmauth.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tpmauth.tls.TpmSslContexts.Engine;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * TLS client authentication with TPM keys against {@code openssl s_server -Verify 1
 * -verify_return_error}: TLS 1.2 and 1.3, EC P-256 / P-384 and RSA (PKCS#1 on 1.2 with the server limited
 * to it, PSS on 1.3), on BC-JSSE and SunJSSE; a certificate from a foreign CA is refused.
 */
class OpensslInteropTest {
    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Engine engine : Engine.values()) {
            for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
                for (KeyAlgorithm algorithm : List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P384, KeyAlgorithm.RSA_2048)) {
                    cases.add(Arguments.of(engine, protocol, algorithm));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("matrix")
    void clientAuthWithTpmKey(Engine engine, String protocol, KeyAlgorithm algorithm) throws Exception {
        TestKeys t = TestKeys.get();
        boolean tls12 = protocol.equals("TLSv1.2");
        List<String> options = new ArrayList<>(List.of("-www", tls12 ? "-tls1_2" : "-tls1_3"));
        if (!algorithm.isEcc()) {
            // ECDSA+SHA256 stays for the CA's signature on the client certificate
            options.addAll(List.of("-client_sigalgs", (tls12 ? "RSA+SHA256" : "rsa_pss_rsae_sha256") + ":ECDSA+SHA256"));
        }
        try (OpensslServer server = new OpensslServer(t.serverCert, t.serverKey, t.caPem, options.toArray(String[]::new));
                TpmKeys keys = new TpmKeys(TestKeys.tpm())) {
            TpmKeyManager km = TpmKeyManager.fromFiles(keys, t.keyFile(algorithm), t.certFile(algorithm), null);
            SSLContext context = TpmSslContexts.create(engine, km, List.of(TestKeys.get().pki.ca));
            TpmProvider.clearLastSignatureScheme();
            String page = get(context, server.port, protocol);
            assertTrue(page.startsWith("HTTP/1.0 200"), page);
            String expected = algorithm.isEcc() ? "ecdsa_" : tls12 ? "rsa_pkcs1_sha256" : "rsa_pss_rsae_sha256";
            String scheme = TpmProvider.lastSignatureScheme();
            assertTrue(scheme != null && scheme.startsWith(expected), "signed with " + scheme + ", expected " + expected);
            if (algorithm == KeyAlgorithm.EC_P384 && !tls12) {
                assertEquals("ecdsa_secp384r1_sha384", scheme); // TLS 1.3 ties P-384 to SHA-384
            }
        }
    }

    /**
     * With the TPM2 provider installed, the engines still verify a software RSA server's PSS and PKCS#1
     * signatures (TPM2 offers SHA256withRSAandMGF1 for signing only, so verification must find another provider).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("enginesAndProtocols")
    void rsaServerSignaturesStillVerify(Engine engine, String protocol) throws Exception {
        TestKeys t = TestKeys.get();
        KeyPair rsaServer = TestPki.rsaKey();
        var cert = TestPki.writePem(t.dir.resolve("rsa-server.crt.pem"), t.pki.issue(rsaServer.getPublic(), "rsa server"));
        var key = TestPki.writePem(t.dir.resolve("rsa-server.key.pem"), rsaServer.getPrivate());
        try (OpensslServer server = new OpensslServer(cert, key, t.caPem, "-www");
                TpmKeys keys = new TpmKeys(TestKeys.tpm())) {
            TpmKeyManager km = TpmKeyManager.fromFiles(keys, t.keyFile(KeyAlgorithm.EC_P256),
                    t.certFile(KeyAlgorithm.EC_P256), null);
            String page = get(TpmSslContexts.create(engine, km, List.of(t.pki.ca)), server.port, protocol);
            assertTrue(page.startsWith("HTTP/1.0 200"), page);
        }
    }

    static Stream<Arguments> enginesAndProtocols() {
        return Stream.of(Engine.values()).flatMap(e -> Stream.of(Arguments.of(e, "TLSv1.2"), Arguments.of(e, "TLSv1.3")));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void foreignCaCertificateIsRefused(Engine engine) throws Exception {
        TestKeys t = TestKeys.get();
        TestPki foreign = new TestPki("foreign CA");
        KeyPair client = TestPki.ecKey();
        var foreignCert = TestPki.writePem(t.dir.resolve("foreign.crt.pem"), foreign.issue(client.getPublic(), "x"));
        try (OpensslServer server = new OpensslServer(t.serverCert, t.serverKey, t.caPem, "-www", "-tls1_3");
                TpmKeys keys = new TpmKeys(TestKeys.tpm())) {
            // a TPM key with a certificate from a CA the server does not know
            var key = keys.create(KeyAlgorithm.EC_P256, new byte[0], org.tpmauth.tss.types.TpmHandles.RH_OWNER);
            var keyFile = t.dir.resolve("foreign.key.pem");
            key.writePem(keyFile);
            TpmPrivateKey tpmKey = TpmPrivateKey.of(keys, keys.load(key, new byte[0]));
            TestPki.writePem(foreignCert, foreign.issue(tpmKey.publicKey(), "foreign device"));
            // ignores the server's CA list, so the certificate is sent and the server must refuse it
            TpmKeyManager km = TpmKeyManager.of("x", tpmKey, org.tpmauth.tls.Certificates.read(foreignCert));
            SSLContext context = TpmSslContexts.create(engine, new IgnoringIssuers(km), List.of(t.pki.ca));
            assertThrows(IOException.class, () -> get(context, server.port, "TLSv1.3"));
            assertTrue(server.log().contains("certificate"), server.log());
        }
    }

    /** Handshakes, sends a GET to s_server -www and returns the response. */
    static String get(SSLContext context, int port, String protocol) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setEnabledProtocols(new String[] {protocol});
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            assertEquals(protocol, socket.getSession().getProtocol());
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
