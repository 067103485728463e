package org.tpmauth.vpn.openvpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * The backend against real OpenVPN 2.6 in point-to-point TLS mode ({@code --dev null}, TCP on 127.0.0.1):
 * EC P-256 / P-384 and RSA TPM keys, TLS 1.2 and 1.3, PSS, PKCS#1 when the server rules PSS out, and the
 * {@code digest} flag (data=message). Both ends must reach "Initialization Sequence Completed". A
 * certificate from a foreign CA is refused by the server; the backend survives an OpenVPN restart; the
 * management password, hold and {@code --management-client} over a unix socket work.
 */
class OpenVpnTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    static VpnTestKeys keys;
    /** A server that offers only PKCS#1 v1.5 (and ECDSA for the CA) to clients: OpenSSL's ClientSignatureAlgorithms. */
    static Path pkcs1Only;

    @BeforeAll
    static void material() throws Exception {
        keys = new VpnTestKeys(SWTPM, dir);
        pkcs1Only = Files.writeString(dir.resolve("pkcs1-only.cnf"), String.join("\n",
                "openssl_conf = init", "[init]", "ssl_conf = ssl", "[ssl]", "system_default = tls",
                "[tls]", "ClientSignatureAlgorithms = RSA+SHA256:RSA+SHA384:ECDSA+SHA256", ""));
    }

    @AfterAll
    static void closeKeys() {
        keys.keys.close();
        keys.tpm.close();
    }

    @ParameterizedTest(name = "{0} TLS {1} {2}")
    @CsvSource({
        "EC_P256, 1.2, default, ECDSA",
        "EC_P256, 1.3, default, ECDSA",
        "EC_P384, 1.2, default, ECDSA",
        "EC_P384, 1.3, default, ECDSA",
        "RSA_2048, 1.2, default, 'RSA_PKCS1_PSS_PADDING,hashalg=SHA256,saltlen=digest'",
        "RSA_2048, 1.3, default, 'RSA_PKCS1_PSS_PADDING,hashalg=SHA256,saltlen=digest'",
        "RSA_2048, 1.2, pkcs1-server, RSA_PKCS1_PADDING",
        "EC_P256, 1.3, digest, 'ECDSA,hashalg=SHA256,data=message'",
        "RSA_2048, 1.3, digest, 'RSA_PKCS1_PSS_PADDING,hashalg=SHA256,saltlen=digest,data=message'",
        "RSA_2048, 1.2, pkcs1-server digest, 'RSA_PKCS1_PADDING,hashalg=SHA256,data=message'",
    })
    void tunnelComesUp(KeyAlgorithm algorithm, String tls, String mode, String expectedAlgorithm) throws Exception {
        List<String> client = new ArrayList<>(List.of(tls.equals("1.2") ? "--tls-version-max" : "--tls-version-min", tls));
        if (mode.contains("digest")) {
            client.addAll(List.of("--management-external-key", "pkcs1", "pss", "digest"));
        }
        int serverPort = LoggedProcess.freePort();
        int managementPort = LoggedProcess.freePort();
        try (OpenVpn server = OpenVpn.server(keys, serverPort, mode.contains("pkcs1-server") ? pkcs1Only : null);
                OpenVpn vpn = OpenVpn.client(keys, serverPort, List.of("127.0.0.1", String.valueOf(managementPort)),
                        "TCP Socket listening", client.toArray(String[]::new));
                BackendThread backend = backend(algorithm, managementPort)) {
            vpn.awaitConnected();
            server.awaitConnected();
            assertTrue(vpn.log().contains("TLSv1." + tls.charAt(2)), vpn.log());
            assertTrue(backend.log().contains("signed PK_SIGN " + expectedAlgorithm + " over"), backend.log());
            assertEquals(1, backend.backend.signatures(), backend.log());
        }
    }

    private static BackendThread backend(KeyAlgorithm algorithm, int managementPort) throws Exception {
        return new BackendThread(new ManagementEndpoint.Tcp("127.0.0.1", managementPort), false, keys.key(algorithm),
                List.of(keys.certificate(algorithm, keys.pki)), null);
    }
}
