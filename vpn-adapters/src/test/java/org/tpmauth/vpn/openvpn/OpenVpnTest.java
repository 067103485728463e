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
import org.tpmauth.tls.testing.NetNamespace;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * The backend against real OpenVPN 2.6 in point-to-point TLS mode ({@code --dev null}, TCP on 127.0.0.1):
 * EC P-256 / P-384 and RSA TPM keys, TLS 1.2 and 1.3, PSS, PKCS#1 when the server rules PSS out, and the
 * {@code digest} flag (data=message), and client/server mode over tun in a network namespace. Both ends must
 * reach "Initialization Sequence Completed". A
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
        keys.close();
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
            backend.awaitLog("OpenVPN STATE: ");
        }
    }

    @Test
    void foreignCaIsRefusedByTheServer() throws Exception {
        int serverPort = LoggedProcess.freePort();
        int managementPort = LoggedProcess.freePort();
        try (OpenVpn server = OpenVpn.server(keys, serverPort, null);
                OpenVpn vpn = OpenVpn.client(keys, serverPort, List.of("127.0.0.1", String.valueOf(managementPort)),
                        "TCP Socket listening");
                BackendThread backend = new BackendThread(new ManagementEndpoint.Tcp("127.0.0.1", managementPort), false,
                        keys.key(KeyAlgorithm.EC_P256), List.of(keys.certificate(KeyAlgorithm.EC_P256, keys.foreign)),
                        null)) {
            server.awaitLog("VERIFY ERROR", OpenVpn.TIMEOUT);
            assertTrue(server.log().contains("CN=device-ec-p256"), server.log());
            assertFalse(server.log().contains(OpenVpn.CONNECTED), server.log());
            assertTrue(backend.isAlive());
        }
    }

    @Test
    void keyOfAnotherCertificateIsRefusedAtStart() throws Exception {
        var wrong = List.of(keys.certificate(KeyAlgorithm.EC_P384, keys.pki));
        var e = assertThrows(Certificates.KeyMismatchException.class, () -> new OpenVpnBackend(
                new ManagementEndpoint.Tcp("127.0.0.1", 1), false, keys.key(KeyAlgorithm.EC_P256), wrong, null, line -> { }));
        assertTrue(e.getMessage().contains("does not match its certificate"), e.getMessage());
    }

    /** OpenVPN restarts (a new process on the same management port): the backend reconnects and serves it. */
    @Test
    void backendSurvivesOpenVpnRestart() throws Exception {
        int serverPort = LoggedProcess.freePort();
        int managementPort = LoggedProcess.freePort();
        List<String> management = List.of("127.0.0.1", String.valueOf(managementPort));
        try (OpenVpn server = OpenVpn.server(keys, serverPort, null);
                BackendThread backend = backend(KeyAlgorithm.EC_P256, managementPort)) {
            backend.awaitLog("cannot reach OpenVPN's management interface"); // started before OpenVPN: it waits
            try (OpenVpn vpn = OpenVpn.client(keys, serverPort, management, "TCP Socket listening")) {
                vpn.awaitConnected();
            }
            int before = backend.log().length();
            try (OpenVpn vpn = OpenVpn.client(keys, serverPort, management, "TCP Socket listening")) {
                vpn.awaitConnected();
            }
            backend.awaitLog("OpenVPN closed the management connection; reconnecting", before);
            assertEquals(2, backend.backend.connections(), backend.log());
            assertEquals(2, backend.backend.signatures(), backend.log());
        }
    }

    /** The management interface has a password and holds OpenVPN until released. */
    @Test
    void managementPasswordAndHold() throws Exception {
        Path password = Files.writeString(dir.resolve("management.pw"), "s3cret management\n");
        int serverPort = LoggedProcess.freePort();
        int managementPort = LoggedProcess.freePort();
        try (OpenVpn server = OpenVpn.server(keys, serverPort, null);
                OpenVpn vpn = OpenVpn.client(keys, serverPort, List.of("127.0.0.1", String.valueOf(managementPort),
                        password.toString()), "TCP Socket listening", "--management-hold");
                BackendThread backend = new BackendThread(new ManagementEndpoint.Tcp("127.0.0.1", managementPort), false,
                        keys.key(KeyAlgorithm.RSA_2048), List.of(keys.certificate(KeyAlgorithm.RSA_2048, keys.pki)),
                        "s3cret management".getBytes(StandardCharsets.UTF_8))) {
            vpn.awaitConnected();
            server.awaitConnected();
            String log = backend.log();
            assertTrue(log.contains("SUCCESS: password is correct"), log);
            assertTrue(log.contains("OpenVPN HOLD: Waiting for hold release"), log);
            assertFalse(log.contains("s3cret"), log);
        }
    }

    @Test
    void wrongManagementPasswordIsReported() throws Exception {
        Path password = Files.writeString(dir.resolve("management2.pw"), "right\n");
        int managementPort = LoggedProcess.freePort();
        try (OpenVpn vpn = OpenVpn.client(keys, LoggedProcess.freePort(), List.of("127.0.0.1",
                String.valueOf(managementPort), password.toString()), "TCP Socket listening");
                BackendThread backend = new BackendThread(new ManagementEndpoint.Tcp("127.0.0.1", managementPort), false,
                        keys.key(KeyAlgorithm.EC_P256), List.of(keys.certificate(KeyAlgorithm.EC_P256, keys.pki)),
                        "wrong".getBytes(StandardCharsets.UTF_8))) {
            backend.awaitLog("OpenVPN refused the management password: check --management-password-file; retrying");
            assertFalse(backend.log().contains("wrong\n"), backend.log());
        }
        int withoutPort = LoggedProcess.freePort();
        try (OpenVpn vpn = OpenVpn.client(keys, LoggedProcess.freePort(), List.of("127.0.0.1",
                String.valueOf(withoutPort), password.toString()), "TCP Socket listening");
                BackendThread backend = backend(KeyAlgorithm.EC_P256, withoutPort)) {
            backend.awaitLog("asks for a password: give it (--management-password-file)");
        }
    }

    /**
     * --listen: OpenVPN connects to the backend's unix socket (--management-client), configured by the
     * snippet shipped in vpn-adapters/dist; the socket is removed at the end.
     */
    @Test
    void listensForManagementClientOnUnixSocket() throws Exception {
        Path socket = dir.resolve("backend.sock");
        String snippet = Files.readString(Path.of("dist/openvpn-client-tpm.conf"))
                .replace("/run/tpmauth-openvpn/NAME.sock", socket.toString());
        Path config = Files.writeString(dir.resolve("client-tpm.conf"), snippet);
        int serverPort = LoggedProcess.freePort();
        try (OpenVpn server = OpenVpn.server(keys, serverPort, null);
                BackendThread backend = new BackendThread(new ManagementEndpoint.Unix(socket), true,
                        keys.key(KeyAlgorithm.EC_P384), List.of(keys.certificate(KeyAlgorithm.EC_P384, keys.pki)), null)) {
            backend.awaitLog("waiting for OpenVPN (--management-client) on unix:" + socket);
            try (OpenVpn vpn = OpenVpn.run(dir, List.of("openvpn", "--dev", "null", "--proto", "tcp-client", "--remote",
                    "127.0.0.1", String.valueOf(serverPort), "--tls-client", "--ca", keys.caPem.toString(),
                    "--connect-retry", "1", "--verb", "3", "--config", config.toString()), "MANAGEMENT:")) {
                vpn.awaitConnected();
            }
            backend.awaitLog("waiting for it again");
            backend.close();
            assertFalse(Files.exists(socket));
            assertTrue(backend.log().endsWith("stopped\n"), backend.log());
        }
    }

    /**
     * Client/server mode over tun devices, both OpenVPNs inside a network namespace this test creates (the
     * backend outside it, on the client's unix management socket): the server pushes an address and the
     * client's tun device gets it.
     */
    @Test
    void clientServerOverTunInNetworkNamespace() throws Exception {
        try (NetNamespace ns = NetNamespace.create("tpmauth-ovpn-")) {
            int port = LoggedProcess.freePort();
            Path socket = dir.resolve("tun-client.sock");
            List<String> inNs = ns.exec("openvpn", "--verb", "3", "--dev", "tun");
            List<String> server = new ArrayList<>(inNs);
            server.addAll(List.of("--server", "10.99.0.0", "255.255.255.0", "--topology", "subnet", "--proto",
                    "tcp-server", "--local", "127.0.0.1", "--port", String.valueOf(port), "--ca", keys.caPem.toString(),
                    "--cert", keys.serverCert.toString(), "--key", keys.serverKey.toString(), "--dh", "none"));
            List<String> client = new ArrayList<>(inNs);
            client.addAll(List.of("--client", "--proto", "tcp-client", "--remote", "127.0.0.1", String.valueOf(port),
                    "--connect-retry", "1", "--ca", keys.caPem.toString(), "--management", socket.toString(), "unix",
                    "--management-external-key", "pkcs1", "pss", "--management-external-cert", "tpmauth"));
            try (OpenVpn s = OpenVpn.run(dir, server, OpenVpn.CONNECTED);
                    OpenVpn c = OpenVpn.run(dir, client, "unix domain socket listening");
                    BackendThread backend = new BackendThread(new ManagementEndpoint.Unix(socket), false,
                            keys.key(KeyAlgorithm.RSA_2048), List.of(keys.certificate(KeyAlgorithm.RSA_2048, keys.pki)),
                            null)) {
                c.awaitConnected();
                assertTrue(c.log().contains("PUSH: Received control message"), c.log());
                String addresses = NetNamespace.run("ip", "-n", ns.name, "-4", "-o", "addr", "show");
                assertTrue(addresses.contains("10.99.0.2/24"), addresses);
                assertEquals(1, backend.backend.signatures(), backend.log());
            }
        }
    }

    private static BackendThread backend(KeyAlgorithm algorithm, int managementPort) throws Exception {
        return new BackendThread(new ManagementEndpoint.Tcp("127.0.0.1", managementPort), false, keys.key(algorithm),
                List.of(keys.certificate(algorithm, keys.pki)), null);
    }
}
