package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attestation.testing.EkProvisioning;
import org.tpmauth.attestation.testing.RealLogs;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.OpensslServer;
import org.tpmauth.tls.testing.FreeRadius;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/**
 * {@code tpmauth attest server | enroll | renew} as a machine and an operator use them: the service from
 * a config file, enrollment of a TPM key on swtpm booted with a real log, the issued certificate
 * accepted by {@code openssl s_server -verify}, renewal only when due or forced.
 */
class AttestServiceCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    @TempDir
    static Path dir;
    private static int port;

    @BeforeAll
    static void startTheService() throws Exception {
        EkProvisioning manufacturer = EkProvisioning.manufacture(SWTPM);
        ServiceFixture fixture = new ServiceFixture(dir);
        try (Tpm tpm = new Tpm(SWTPM.openTpm().tcti(), true)) {
            fixture.boot(tpm);
        }
        SWTPM.disconnect();
        Files.write(dir.resolve("boot.log"), fixture.log);
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-subj", "/CN=machine CA", "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key",
                "-out", "server.csr", "-subj", "/CN=attest.example");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "server.pem", "-days", "2", "-extfile", writeExt());
        Cli.tpmauth("attest", "refstate", "create", "--from-log", RealLogs.dir().resolve(ServiceFixture.LOG).toString(),
                "--pin", "0,2,4", "--out", path("ref.json")).ok();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("service.json"), "{\"port\": " + port + ", \"bind\": \"127.0.0.1\", \"ca-key\": \""
                + path("ca.key") + "\", \"ca-cert\": \"" + path("ca.pem") + "\", \"tls-key\": \"" + path("server.key")
                + "\", \"tls-cert\": \"" + path("server.pem") + "\", \"ek-roots\": \"" + manufacturer.caDirectory()
                + "\", \"refstate\": \"" + path("ref.json") + "\", \"cert-lifetime\": \"2h\", \"database\": \""
                + path("attest-db") + "\"}");
        Thread service = new Thread(() -> Cli.tpmauth("attest", "server", "--config", path("service.json")), "service");
        service.setDaemon(true); // serves until the test JVM ends
        service.start();
        awaitPort(port);
    }

    private static String writeExt() throws Exception {
        return Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:attest.example,IP:127.0.0.1\n"
                + "extendedKeyUsage=serverAuth\n").toString();
    }

    private static void openssl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Tools.capture(dir, java.util.Map.of(), command.toArray(String[]::new)).ok();
    }

    private static String path(String name) {
        return dir.resolve(name).toString();
    }

    private static Cli.Result tpmauth(String... args) {
        return Cli.tpmauthOn(SWTPM.tcti(), args);
    }

    @Test
    void enrollsAndTheCertificateWorksWithOpensslThenRenewsWhenDueOrForced() throws Exception {
        tpmauth("key", "create", "--out", path("machine.key"), "--force").ok();
        String server = "https://127.0.0.1:" + port;
        Cli.Result enrolled = tpmauth("attest", "enroll", "--server", server, "--server-ca", path("ca.pem"), "--key",
                path("machine.key"), "--out", path("machine.pem"), "--eventlog", path("boot.log")).ok();
        assertTrue(enrolled.out().startsWith("enrolled as tpm-"), enrolled.toString());
        assertTrue(Files.exists(dir.resolve("machine-ak.pem")) && Files.exists(dir.resolve("machine-ak-cert.pem")));

        try (OpensslServer s = new OpensslServer(dir.resolve("server.pem"), dir.resolve("server.key"),
                dir.resolve("machine-ca.pem"), "-rev")) {
            Cli.Result r = tpmauth("tls", "connect", "127.0.0.1:" + s.port, "--key", path("machine.key"), "--cert",
                    path("machine.pem"), "--ca", path("ca.pem"), "--send", "attested").ok();
            assertTrue(r.out().contains("client auth: accepted") && r.out().contains("received: detsetta"), r.toString());
        }

        String[] renew = {"attest", "renew", "--server", server, "--server-ca", path("ca.pem"), "--key",
            path("machine.key"), "--cert", path("machine.pem"), "--eventlog", path("boot.log")};
        assertTrue(tpmauth(renew).ok().out().startsWith("not due:"));
        var before = Certificates.read(dir.resolve("machine.pem")).get(0);
        List<String> forced = new java.util.ArrayList<>(List.of(renew));
        forced.add("--force");
        assertTrue(tpmauth(forced.toArray(String[]::new)).ok().out().startsWith("renewed: "));
        var after = Certificates.read(dir.resolve("machine.pem")).get(0);
        assertNotEquals(before.getSerialNumber(), after.getSerialNumber());
        assertEquals(before.getPublicKey(), after.getPublicKey());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }

        // evidence bound to the TLS connection: tls serve --require-attestation and tls connect --attest
        int tlsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            tlsPort = s.getLocalPort();
        }
        java.io.ByteArrayOutputStream served = new java.io.ByteArrayOutputStream();
        Thread tlsServer = new Thread(() -> Main.run(new java.io.PrintStream(served, true), System.err, "tls", "serve",
                "--port", String.valueOf(tlsPort), "--bind", "127.0.0.1", "--key", path("server.key"), "--cert",
                path("server.pem"), "--ca", path("machine-ca.pem"), "--require-attestation", path("ref.json")));
        tlsServer.setDaemon(true);
        tlsServer.start();
        awaitPort(tlsPort);
        Cli.Result attested = tpmauth("tls", "connect", "127.0.0.1:" + tlsPort, "--key", path("machine.key"), "--cert",
                path("machine.pem"), "--ca", path("ca.pem"), "--attest", "--ak", path("machine-ak.pem"), "--eventlog",
                path("boot.log"), "--send", "measured").ok();
        assertTrue(attested.out().contains("attestation: accepted") && attested.out().contains("received: measured"),
                attested.toString());
        Cli.Result plain = tpmauth("tls", "connect", "127.0.0.1:" + tlsPort, "--key", path("machine.key"), "--cert",
                path("machine.pem"), "--ca", path("ca.pem"), "--no-verify-hostname", "--send", "no evidence");
        assertTrue(plain.code() != 0 || !plain.out().contains("received: no evidence"), plain.toString());
        long deadline = System.currentTimeMillis() + 10_000;
        while (!served.toString().contains("refused") && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(served.toString().contains(": attestation OK") && served.toString().contains("refused"),
                served.toString());
    }

    @Test
    void mqttBrokerAdmitsAttestedClientsAndRefusesOthersWithTheReason() throws Exception {
        assertTrue(Cli.tpmauth("mqtt", "broker", "--help").ok().out().contains("--require-attestation=ref.json"));
        assertTrue(Cli.tpmauth("mqtt", "publish", "--help").ok().out().contains("--attest"));
        tpmauth("key", "create", "--out", path("sensor.key"), "--force").ok();
        tpmauth("attest", "enroll", "--server", "https://127.0.0.1:" + port, "--server-ca", path("ca.pem"), "--key",
                path("sensor.key"), "--out", path("sensor.pem"), "--eventlog", path("boot.log")).ok();
        int mqttPort;
        try (ServerSocket s = new ServerSocket(0)) {
            mqttPort = s.getLocalPort();
        }
        java.io.ByteArrayOutputStream brokerOut = new java.io.ByteArrayOutputStream();
        Thread broker = new Thread(() -> Main.run(new java.io.PrintStream(brokerOut, true), System.err, "mqtt", "broker",
                "--port", String.valueOf(mqttPort), "--bind", "127.0.0.1", "--tls-key", path("server.key"),
                "--tls-cert", path("server.pem"), "--ca", path("sensor-ca.pem"), "--require-attestation",
                path("ref.json")), "broker");
        broker.setDaemon(true);
        broker.start();
        try {
            awaitPort(mqttPort);
            String[] client = {"--broker", "ssl://127.0.0.1:" + mqttPort, "-t", "plant/1", "--key", path("sensor.key"),
                "--cert", path("sensor.pem"), "--ca", path("ca.pem")};
            String[] attest = {"--attest", "--ak", path("sensor-ak.pem"), "--eventlog", path("boot.log")};
            // (delivery between attested clients is AttestedMqttTest's: swtpm serves one client at a time)
            Cli.Result published = tpmauth(concat(concat(new String[] {"mqtt", "publish", "-m", "measured",
                "--client-id", "pub"}, client), attest)).ok();
            assertTrue(brokerOut.toString().contains("(client id pub): attestation OK"), () -> published + "\n"
                    + brokerOut);
            Cli.Result plain = tpmauth(concat(new String[] {"mqtt", "publish", "-m", "no evidence", "--v5",
                "--client-id", "plain"}, client));
            assertEquals(1, plain.code(), plain.toString());
            assertTrue(plain.err().contains("Bad authentication method"), plain.toString());
            assertTrue(brokerOut.toString().contains("(client id plain): BAD_AUTHENTICATION_METHOD: FAIL auth-method"),
                    brokerOut::toString);
        } finally {
            broker.interrupt();
            broker.join(30_000);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void freeRadiusAcceptsTheIssuedCertificateAndRejectsItOnceExpired() throws Exception {
        // a second instance of the service on the same database, issuing certificates for 6 seconds
        int shortPort;
        try (ServerSocket s = new ServerSocket(0)) {
            shortPort = s.getLocalPort();
        }
        Thread service = new Thread(() -> Cli.tpmauth("attest", "server", "--config", path("service.json"), "--port",
                String.valueOf(shortPort), "--cert-lifetime", "6s"), "short-lived service");
        service.setDaemon(true);
        service.start();
        awaitPort(shortPort);
        tpmauth("key", "create", "--out", path("radius.key"), "--force").ok();
        tpmauth("attest", "enroll", "--server", "https://127.0.0.1:" + shortPort, "--server-ca", path("ca.pem"),
                "--key", path("radius.key"), "--out", path("radius.pem"), "--eventlog", path("boot.log")).ok();
        var cert = Certificates.read(dir.resolve("radius.pem")).get(0);
        try (FreeRadius radius = FreeRadius.start(dir.resolve("radius-ca.pem"), dir.resolve("server.pem"),
                dir.resolve("server.key"), 1024)) {
            Path secret = Files.writeString(dir.resolve("radius.secret"), radius.secret + "\n");
            String[] eap = {"eap", "radius", "--server", "127.0.0.1:" + radius.port, "--secret-file", secret.toString(),
                "--identity", "machine", "--key", path("radius.key"), "--cert", path("radius.pem"), "--ca", path("ca.pem")};
            Cli.Result accepted = tpmauth(eap).ok();
            assertTrue(accepted.out().toLowerCase().contains("accept"), accepted.toString());
            long untilExpired = cert.getNotAfter().getTime() - System.currentTimeMillis() + 1000;
            if (untilExpired > 0) {
                Thread.sleep(untilExpired);
            }
            Cli.Result expired = tpmauth(eap);
            assertEquals(1, expired.code(), expired.toString());
            assertTrue(radius.log().contains("expired"), "FreeRADIUS should name the expired certificate");
        }
    }

    private static void awaitPort(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (java.io.IOException notYet) {
                assertTrue(System.currentTimeMillis() < deadline, "nothing listens on port " + port);
                Thread.sleep(50);
            }
        }
    }
}
