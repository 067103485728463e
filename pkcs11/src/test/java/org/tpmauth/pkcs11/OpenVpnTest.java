package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * OpenVPN 2.6 with --pkcs11-providers p11-kit-client.so and --pkcs11-id of the token's EC and RSA keys
 * (point to point, --dev null, on 127.0.0.1) completes its TLS handshake with an OpenVPN server that
 * trusts the test CA.
 */
class OpenVpnTest {
    private static final String CONNECTED = "Initialization Sequence Completed";

    @TempDir
    Path work;

    @Test
    void handshakeWithTheTokenKeys() throws Exception {
        TestKeystore store = TestKeystore.get();
        try (TpmKeys keys = new TpmKeys(TestKeystore.tpm());
             Pkcs11Server server = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null),
                     work.resolve("p11.sock"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            Map<String, String> env = Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + server.socket());
            String ids = Programs.run(work, env, "openvpn", "--show-pkcs11-ids", Programs.CLIENT_MODULE).ok().out();
            List<String> serialized = ids.lines().filter(l -> l.strip().startsWith("Serialized id:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).toList();
            assertTrue(serialized.size() == 2, ids);
            store.issueSoftware(work, "vpn");
            for (String id : serialized) {
                assertTrue(handshake(env, store, id), "OpenVPN handshake with " + id + ":\n"
                        + Files.readString(work.resolve("client.log")) + "\nserver:\n" + Files.readString(work.resolve("server.log")));
            }
        }
    }

    private boolean handshake(Map<String, String> env, TestKeystore store, String id) throws Exception {
        int port = LoggedProcess.freeUdpPort();
        List<String> client = new ArrayList<>(List.of("env"));
        env.forEach((k, v) -> client.add(k + "=" + v));
        client.addAll(List.of("openvpn", "--dev", "null", "--tls-client", "--remote", "127.0.0.1", String.valueOf(port),
                "--proto", "udp", "--nobind", "--ca", store.caPem.toString(), "--pkcs11-providers",
                        Programs.CLIENT_MODULE,
                "--pkcs11-id", id, "--verb", "3"));
        try (LoggedProcess vpnServer = new LoggedProcess(List.of("openvpn", "--dev", "null", "--tls-server", "--local",
                "127.0.0.1", "--lport", String.valueOf(port), "--proto", "udp", "--ca", store.caPem.toString(), "--cert",
                work.resolve("vpn.pem").toString(), "--key", work.resolve("vpn.key").toString(), "--dh", "none",
                        "--verb",
                "3"), work.resolve("server.log"));
             LoggedProcess vpnClient = new LoggedProcess(client, work.resolve("client.log"))) {
            vpnClient.awaitLog(CONNECTED, Duration.ofSeconds(15));
            vpnServer.awaitLog(CONNECTED, Duration.ofSeconds(15));
            return true;
        } catch (IllegalStateException e) {
            return false; // the assertion shows both logs
        }
    }
}
