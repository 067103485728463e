package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import org.tpmauth.tls.Mosquitto;
import org.tpmauth.tls.OpensslServer;
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
        try (OpensslServer server = server("-tls" + tls.replace('.', '_'))) {
            Cli.Result r = Cli.tpmauthOn(SWTPM.tcti(), "tls", "connect", "127.0.0.1:" + server.port, "--key", kc[0],
                    "--cert", kc[1], "--ca", dir.resolve("ca.pem").toString(), "--tls", tls, "--engine", engine,
                    "--send", "hello tpm").ok();
            assertTrue(r.out().contains("protocol: TLSv" + tls), r.toString());
            assertTrue(r.out().contains("peer: CN=server"), r.toString());
            assertTrue(r.out().contains("client auth: accepted"), r.toString());
            assertTrue(r.out().contains("received: mpt olleh"), r.toString());
            // TLS SignatureScheme names; TLS 1.3 ties P-256 to SHA-256
            String scheme = type.equals("ec-p256") ? "ecdsa_secp256r1_sha256" : type.startsWith("ec") ? "ecdsa_"
                    : tls.equals("1.3") ? "rsa_pss_rsae_" : "rsa_";
            assertTrue(r.out().contains("signature scheme: " + scheme), r.toString());
        }
    }

    @Test
    void passwordProtectedKey() throws Exception {
        String tcti = SWTPM.tcti();
        Path pw = Files.writeString(dir.resolve("pw.txt"), "s3cret\n");
        Path key = dir.resolve("pw.key.pem");
        Cli.tpmauthOn(tcti, "key", "create", "--password-file", pw.toString(), "--out", key.toString(), "--force").ok();
        Path req = dir.resolve("pw.csr");
        String noPassword = Cli.tpmauthOn(tcti, "csr", "--key", key.toString(), "--subject", "CN=pw", "--out",
                req.toString()).fails();
        assertTrue(noPassword.contains("--password-file"), noPassword);
        Cli.tpmauthOn(tcti, "csr", "--key", key.toString(), "--password-file", pw.toString(), "--subject", "CN=pw",
                "--out", req.toString()).ok();
        sign(req.toString(), "ca", dir.resolve("pw.crt.pem").toString());
        try (OpensslServer server = server("-tls1_3")) {
            String[] args = {"tls", "connect", "127.0.0.1:" + server.port, "--key", key.toString(), "--cert",
                dir.resolve("pw.crt.pem").toString(), "--ca", dir.resolve("ca.pem").toString()};
            String error = Cli.tpmauthOn(tcti, args).fails();
            assertTrue(error.contains("is password protected: give its password with --password-file"), error);
            List<String> withPassword = new ArrayList<>(List.of(args));
            withPassword.addAll(List.of("--password-file", pw.toString()));
            assertTrue(Cli.tpmauthOn(tcti, withPassword.toArray(String[]::new)).ok().out()
                    .contains("client auth: accepted"));
        }
    }

    /** Keys under a PCR policy and under a signed policy stored in the key file sign CSRs and TLS handshakes. */
    @Test
    void keysUnderPcrAndAuthorizedPoliciesAuthenticate() throws Exception {
        String tcti = SWTPM.tcti();
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "policy-signer.pem");
        openssl("pkey", "-in", "policy-signer.pem", "-pubout", "-out", "policy-signer-pub.pem");
        for (String policy : List.of("--pcr-policy=sha256:0,7", "--authorized-by=policy-signer-pub.pem")) {
            String name = policy.startsWith("--pcr") ? "pcr" : "authorized";
            Path key = dir.resolve(name + "-policy.key.pem");
            Cli.tpmauthOn(tcti, "key", "create", policy.replace("=policy-signer", "=" + dir + "/policy-signer"),
                    "--out", key.toString(), "--force").ok();
            if (name.equals("authorized")) {
                Cli.tpmauthOn(tcti, "policy", "sign", "--signer", dir.resolve("policy-signer.pem").toString(), "--pcrs",
                        "sha256:0,7", "--out", dir.resolve("tls.sig").toString(), "--add-to", key.toString()).ok();
            }
            Path req = dir.resolve(name + "-policy.csr");
            Cli.tpmauthOn(tcti, "csr", "--key", key.toString(), "--subject", "CN=" + name, "--out", req.toString())
                    .ok();
            Path cert = dir.resolve(name + "-policy.crt.pem");
            sign(req.toString(), "ca", cert.toString());
            try (OpensslServer server = server("-tls1_3")) {
                assertTrue(Cli.tpmauthOn(tcti, "tls", "connect", "127.0.0.1:" + server.port, "--key", key.toString(),
                        "--cert", cert.toString(), "--ca", dir.resolve("ca.pem").toString()).ok().out()
                        .contains("client auth: accepted"), name);
            }
        }
    }

    @Test
    void foreignCertificateFailsWithTheReason() throws Exception {
        String[] kc = keyAndCert("ec-p256", "foreign");
        try (OpensslServer server = server("-tls1_3")) {
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
        try (Mosquitto broker = broker()) {
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
        try (Mosquitto broker = broker()) {
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
        try (Mosquitto broker = broker()) {
            String error = Cli.tpmauthOn(SWTPM.tcti(), "mqtt", "publish", "--broker", "ssl://127.0.0.1:" + broker.port,
                    "-t", "x", "-m", "x", "--key", kc[0], "--cert", kc[1], "--ca", dir.resolve("ca.pem").toString())
                    .fails();
            assertTrue(error.startsWith("tpmauth: "), error);
            assertFalse(broker.log().contains("u'device ec-p256'"), broker.log());
        }
    }

    private static OpensslServer server(String... options) throws Exception {
        List<String> all = new ArrayList<>(List.of("-rev"));
        all.addAll(List.of(options));
        return new OpensslServer(dir.resolve("server.pem"), dir.resolve("server.key"), dir.resolve("ca.pem"),
                all.toArray(String[]::new));
    }

    private static Mosquitto broker() throws Exception {
        return new Mosquitto(dir, dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server.key"));
    }
}
