package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * {@code tpmauth csr} (checked by {@code openssl req -verify}, then signed by an openssl CA) and
 * {@code tpmauth tls connect} against {@code openssl s_server -Verify 1 -verify_return_error -rev};
 * {@code tpmauth mqtt publish / subscribe} (v3 and v5) against mosquitto with require_certificate and
 * use_identity_as_username, with mosquitto_sub / mosquitto_pub on the other side.
 */
class TlsCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    @BeforeAll
    static void pki() {
        SWTPM.disconnect();
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-subj", "/CN=cli test CA", "-days", "1");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "foreign.key", "-out", "foreign.pem", "-subj", "/CN=foreign CA", "-days", "1");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key",
                "-out", "server.csr", "-subj", "/CN=server");
        sign("server.csr", "ca", "server.pem");
    }

    private static void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Cli.tool(dir, command.toArray(String[]::new)).succeeded();
    }

    /** Signs a CSR with the CA named {@code ca}, keeping its SANs and adding 127.0.0.1. */
    private static void sign(String csr, String ca, String out) {
        try {
            Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        openssl("x509", "-req", "-in", csr, "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial", "-out", out,
                "-days", "1", "-extfile", "ext.cnf");
    }

    /** A TPM key (type) with a certificate from {@code ca}, made through the CLI: key create, csr, openssl. */
    private static String[] keyAndCert(String type, String ca) {
        String tcti = SWTPM.tcti();
        Path key = dir.resolve(type + "-" + ca + ".key.pem");
        Cli.tpmauthOn(tcti, "key", "create", "--type", type, "--out", key.toString(), "--force").ok();
        Path req = dir.resolve(type + "-" + ca + ".csr");
        Cli.tpmauthOn(tcti, "csr", "--key", key.toString(), "--subject", "CN=device " + type + ",O=tpmauth", "--san",
                "dns:device.example,ip:10.0.0.7", "--out", req.toString()).ok();
        String verified = Cli.tool(dir, "openssl", "req", "-in", req.toString(), "-verify", "-noout", "-text")
                .succeeded().toString();
        assertTrue(verified.contains("verify OK"), verified);
        assertTrue(verified.contains("DNS:device.example, IP Address:10.0.0.7"), verified);
        Path cert = dir.resolve(type + "-" + ca + ".crt.pem");
        sign(req.toString(), ca, cert.toString());
        return new String[] {key.toString(), cert.toString()};
    }

    @ParameterizedTest(name = "{0} TLS {1} {2}")
    @CsvSource({"ec-p256, 1.3, bc", "ec-p384, 1.2, sun", "rsa-2048, 1.3, sun", "rsa-2048, 1.2, bc"})
    void connectWithClientAuth(String type, String tls, String engine) throws Exception {
        String[] kc = keyAndCert(type, "ca");
        try (Server server = new Server("-tls" + tls.replace('.', '_'))) {
            Cli.Result r = Cli.tpmauthOn(SWTPM.tcti(), "tls", "connect", "127.0.0.1:" + server.port, "--key", kc[0],
                    "--cert", kc[1], "--ca", dir.resolve("ca.pem").toString(), "--tls", tls, "--engine", engine,
                    "--send", "hello tpm").ok();
            assertTrue(r.out().contains("protocol: TLSv" + tls), r.toString());
            assertTrue(r.out().contains("peer: CN=server"), r.toString());
            assertTrue(r.out().contains("client auth: accepted"), r.toString());
            assertTrue(r.out().contains("received: mpt olleh"), r.toString());
            String scheme = type.startsWith("ec") ? "ecdsa_" : tls.equals("1.3") ? "rsa_pss_rsae_" : "rsa_";
            assertTrue(r.out().contains("signature scheme: " + scheme), r.toString());
        }
    }

    @Test
    void foreignCertificateFailsWithTheReason() throws Exception {
        String[] kc = keyAndCert("ec-p256", "foreign");
        try (Server server = new Server("-tls1_3")) {
            String error = Cli.tpmauthOn(SWTPM.tcti(), "tls", "connect", "127.0.0.1:" + server.port, "--key", kc[0],
                    "--cert", kc[1], "--ca", dir.resolve("ca.pem").toString()).fails();
            assertTrue(error.contains("certificate_required"), error);
        }
    }

    @Test
    void keyThatDoesNotMatchTheCertificateIsRefusedBeforeConnecting() {
        String[] a = keyAndCert("ec-p256", "ca");
        String error = Cli.tpmauthOn(SWTPM.tcti(), "tls", "connect", "127.0.0.1:1", "--key", a[0], "--cert",
                dir.resolve("server.pem").toString(), "--ca", dir.resolve("ca.pem").toString()).fails();
        assertTrue(error.contains("does not match its certificate CN=server"), error);
    }

    @ParameterizedTest(name = "MQTT v5: {0}")
    @ValueSource(booleans = {false, true})
    void mqttPublishReachesMosquittoSub(boolean v5) throws Exception {
        String[] kc = keyAndCert("ec-p256", "ca");
        String topic = "tpmauth/cli/" + v5;
        try (Broker broker = new Broker()) {
            Process sub = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(broker.port),
                    "--cafile", "ca.pem", "--cert", "server.pem", "--key", "server.key", "-t", topic, "-C", "1",
                    "-W", "30", "-i", "sub" + v5).directory(dir.toFile()).start();
            try {
                broker.awaitLog("Received SUBSCRIBE from sub" + v5);
                List<String> args = new ArrayList<>(List.of("mqtt", "publish", "--broker", "ssl://127.0.0.1:"
                        + broker.port, "-t", topic, "-m", "from the TPM", "--key", kc[0], "--cert", kc[1], "--ca",
                        dir.resolve("ca.pem").toString(), "--client-id", "pub" + v5));
                if (v5) {
                    args.add("--v5");
                }
                Cli.tpmauthOn(SWTPM.tcti(), args.toArray(String[]::new)).ok();
                assertTrue(sub.waitFor(30, TimeUnit.SECONDS));
                assertEquals("from the TPM\n", new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                assertTrue(broker.log().contains("as pub" + v5 + " (p" + (v5 ? 5 : 2)), broker.log());
                assertTrue(broker.log().contains("u'device ec-p256'"), broker.log());
            } finally {
                sub.destroy();
            }
        }
    }

    @Test
    void mqttSubscribeReceivesMosquittoPub() throws Exception {
        String[] kc = keyAndCert("ec-p256", "ca");
        try (Broker broker = new Broker()) {
            CompletableFuture<Cli.Result> subscriber = CompletableFuture.supplyAsync(() -> Cli.tpmauthOn(SWTPM.tcti(),
                    "mqtt", "subscribe", "--broker", "ssl://127.0.0.1:" + broker.port, "-t", "tpmauth/in", "--key",
                    kc[0], "--cert", kc[1], "--ca", dir.resolve("ca.pem").toString(), "--client-id", "tpmsub", "--v5",
                    "--count", "1", "--timeout", "30"));
            broker.awaitLog("Received SUBSCRIBE from tpmsub");
            Cli.tool(dir, "mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(broker.port), "--cafile", "ca.pem",
                    "--cert", "server.pem", "--key", "server.key", "-t", "tpmauth/in", "-m", "to the TPM").succeeded();
            assertEquals("to the TPM\n", subscriber.get(40, TimeUnit.SECONDS).ok().out());
        }
    }

    @Test
    void mqttWithForeignCertificateFails() throws Exception {
        String[] kc = keyAndCert("ec-p256", "foreign");
        try (Broker broker = new Broker()) {
            String error = Cli.tpmauthOn(SWTPM.tcti(), "mqtt", "publish", "--broker", "ssl://127.0.0.1:" + broker.port,
                    "-t", "x", "-m", "x", "--key", kc[0], "--cert", kc[1], "--ca", dir.resolve("ca.pem").toString())
                    .fails();
            assertTrue(error.startsWith("tpmauth: "), error);
            assertFalse(broker.log().contains("u'device ec-p256'"), broker.log());
        }
    }

    /** mosquitto with require_certificate and use_identity_as_username, on a free port. */
    private static final class Broker implements AutoCloseable {
        final int port;
        private final Process process;
        private final StringBuffer log = new StringBuffer();

        Broker() throws Exception {
            port = freePort();
            Path conf = dir.resolve("mosquitto-" + port + ".conf");
            Files.writeString(conf, String.join("\n", "listener " + port + " 127.0.0.1", "cafile ca.pem",
                    "certfile server.pem", "keyfile server.key", "require_certificate true",
                    "use_identity_as_username true", "persistence false", "user root", "log_dest stderr",
                    "log_type all", ""));
            process = new ProcessBuilder("mosquitto", "-c", conf.toString()).directory(dir.toFile())
                    .redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        log.append(line).append('\n');
                    }
                } catch (IOException e) {
                    // ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            awaitLog("Opening ipv4 listen socket on port " + port);
        }

        String log() {
            return log.toString();
        }

        void awaitLog(String text) throws InterruptedException {
            for (int i = 0; i < 500 && !log.toString().contains(text); i++) {
                assertTrue(process.isAlive(), () -> "mosquitto ended:\n" + log);
                Thread.sleep(20);
            }
            assertTrue(log.toString().contains(text), () -> "mosquitto did not log '" + text + "':\n" + log);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** openssl s_server -rev (answers each line reversed) demanding a certificate from ca.pem. */
    private static final class Server implements AutoCloseable {
        final int port;
        private final Process process;

        Server(String... extra) throws Exception {
            port = freePort();
            List<String> command = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                    "-cert", "server.pem", "-key", "server.key", "-CAfile", "ca.pem", "-Verify", "1",
                    "-verify_return_error", "-rev"));
            command.addAll(List.of(extra));
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                StringBuilder output = new StringBuilder();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        output.append(line).append('\n');
                        if (line.startsWith("ACCEPT")) {
                            ready.complete(null);
                        }
                    }
                } catch (IOException e) {
                    // ended
                }
                ready.completeExceptionally(new IOException("s_server ended: " + output));
            });
            reader.setDaemon(true);
            reader.start();
            ready.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
