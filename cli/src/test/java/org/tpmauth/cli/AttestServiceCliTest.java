package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
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
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/**
 * {@code tpmauth attest server | enroll | renew | revoke} as machines and an operator use them: the service from
 * a config file, enrollment of a TPM key on swtpm booted with a real log, the issued certificate
 * accepted by {@code openssl s_server -verify} and by FreeRADIUS (started once, checking the service's CRL),
 * renewal only when due or forced, a revoked machine refused while another machine still gets in.
 */
class AttestServiceCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    /** A second machine with a TPM (and EK) of its own: revocation is per device. */
    @RegisterExtension
    static final SwtpmExtension OTHER = new SwtpmExtension();
    @TempDir
    static Path dir;
    private static int port;
    private static FreeRadius radius;

    @BeforeAll
    static void startTheService() throws Exception {
        Path ekRoots = Files.createDirectory(dir.resolve("ek-roots"));
        ServiceFixture fixture = new ServiceFixture(dir);
        for (SwtpmExtension machine : List.of(SWTPM, OTHER)) {
            EkProvisioning manufacturer = fixture.manufactureAndBoot(machine);
            for (String cert : List.of("issuercert.pem", "swtpm-localca-rootca-cert.pem")) {
                Path from = manufacturer.caDirectory().resolve(cert);
                if (Files.exists(from)) {
                    Files.copy(from, ekRoots.resolve(machine.tcti().replaceAll("\\W", "_") + "-" + cert));
                }
            }
        }
        Files.write(dir.resolve("boot.log"), fixture.log);
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-subj", "/CN=machine CA", "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key",
                "-out", "server.csr", "-subj", "/CN=attest.example");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "server.pem", "-days", "2", "-extfile", writeExt());
        // the operators' CA and alice's certificate, made with the README's commands ("Operator's view")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "operator-ca.key", "-out", "operator-ca.pem", "-days", "3650", "-subj", "/CN=tpmauth operator CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "alice.key", "-out",
                "alice.csr", "-subj", "/CN=alice");
        Files.writeString(dir.resolve("operator.ext"),
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n");
        openssl("x509", "-req", "-in", "alice.csr", "-CA", "operator-ca.pem", "-CAkey", "operator-ca.key",
                "-CAcreateserial", "-days", "365", "-extfile", "operator.ext", "-out", "alice.pem");
        Cli.tpmauth("attest", "refstate", "create", "--from-log", RealLogs.dir().resolve(ServiceFixture.LOG).toString(),
                "--pin", "0,2,4", "--out", path("ref.json")).ok();
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("service.json"), "{\"port\": " + port + ", \"bind\": \"127.0.0.1\", \"ca-key\": \""
                + path("ca.key") + "\", \"ca-cert\": \"" + path("ca.pem") + "\", \"tls-key\": \"" + path("server.key")
                + "\", \"tls-cert\": \"" + path("server.pem") + "\", \"ek-roots\": \"" + ekRoots
                + "\", \"refstate\": \"" + path("ref.json") + "\", \"cert-lifetime\": \"2h\", \"database\": \""
                + path("attest-db") + "\", \"operator-ca\": \"" + path("operator-ca.pem") + "\"}");
        Thread service = new Thread(() -> Cli.tpmauth("attest", "server", "--config", path("service.json")), "service");
        service.setDaemon(true); // serves until the test JVM ends
        service.start();
        Cli.awaitPort(port);
        // FreeRADIUS trusts the machine CA and checks its CRL, published as an operator would: fetched from the
        // service, converted to PEM, named into FreeRADIUS's hashed ca_path
        Files.createDirectory(dir.resolve("crls"));
        publishCrl("https://127.0.0.1:" + port + "/crl");
        radius = FreeRadius.startCheckingCrls(dir.resolve("ca.pem"), dir.resolve("crls"), dir.resolve("server.pem"),
                dir.resolve("server.key"), 1024);
    }

    @AfterAll
    static void stopFreeRadius() {
        if (radius != null) {
            radius.close();
        }
    }

    /**
     * Fetches the CRL at {@code url} with curl and adds it where FreeRADIUS's check_crl reads it: PEM, named by the
     * CA's hash with the next free suffix (OpenSSL's ca_path convention; the newest CRL wins).
     */
    private static Path publishCrl(String url) throws Exception {
        Tools.capture(dir, java.util.Map.of(), "curl", "-sS", "--fail", "--cacert", path("ca.pem"), "-o",
                path("crl.der"), url).ok();
        String hash = openssl("crl", "-inform", "DER", "-in", "crl.der", "-hash", "-noout").out().strip();
        Path crl;
        for (int n = 0; Files.exists(crl = dir.resolve("crls").resolve(hash + ".r" + n)); n++) {
            // taken by an older CRL
        }
        openssl("crl", "-inform", "DER", "-in", "crl.der", "-out", crl.toString());
        return crl;
    }

    private static String writeExt() throws Exception {
        return Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:attest.example,IP:127.0.0.1\n"
                + "extendedKeyUsage=serverAuth\n").toString();
    }

    private static Tools.Output openssl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        return Tools.capture(dir, java.util.Map.of(), command.toArray(String[]::new)).ok();
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
        Cli.awaitPort(tlsPort);
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
    void theOperatorPageOpensToTheOperatorCertificateOnly() {
        List<String> curl = List.of("curl", "-sS", "-w", "\nHTTP %{http_code}", "--cacert", path("ca.pem"), "--resolve",
                "attest.example:" + port + ":127.0.0.1", "https://attest.example:" + port + "/operator/");
        Tools.Output operator = Tools.capture(dir, java.util.Map.of(), java.util.stream.Stream.concat(curl.stream(),
                java.util.stream.Stream.of("--cert", path("alice.pem"), "--key", path("alice.key"))).toArray(String[]::new)).ok();
        assertTrue(operator.out().endsWith("HTTP 200") && operator.out().contains("<h1>Enrolled machines</h1>")
                && operator.out().contains("operator: CN=alice"), operator.out());
        Tools.Output none = Tools.capture(dir, java.util.Map.of(), curl.toArray(String[]::new)).ok();
        assertTrue(none.out().endsWith("HTTP 403") && none.out().contains("need an operator&#39;s client certificate"),
                none.out());
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
            Cli.awaitPort(mqttPort);
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
        Cli.awaitPort(shortPort);
        tpmauth("key", "create", "--out", path("radius.key"), "--force").ok();
        tpmauth("attest", "enroll", "--server", "https://127.0.0.1:" + shortPort, "--server-ca", path("ca.pem"),
                "--key", path("radius.key"), "--out", path("radius.pem"), "--eventlog", path("boot.log")).ok();
        var cert = Certificates.read(dir.resolve("radius.pem")).get(0);
        String[] eap = eap(SWTPM, "radius");
        int logged = radius.log().length();
        Cli.Result accepted = Cli.tpmauth(eap).ok();
        assertTrue(accepted.out().toLowerCase().contains("accept"), accepted.toString());
        long untilExpired = cert.getNotAfter().getTime() - System.currentTimeMillis() + 1000;
        if (untilExpired > 0) {
            Thread.sleep(untilExpired);
        }
        Cli.Result expired = Cli.tpmauth(eap);
        assertEquals(1, expired.code(), expired.toString());
        assertTrue(radius.log().substring(logged).contains("certificate has expired"),
                "FreeRADIUS should name the expired certificate");
    }

    @Test
    void aRevokedMachineIsRefusedRenewalAndByFreeRadiusWhileAnotherStillGetsIn() throws Exception {
        Cli.tpmauthOn(SWTPM.tcti(), "key", "create", "--out", path("healthy.key"), "--force").ok();
        Cli.tpmauthOn(OTHER.tcti(), "key", "create", "--out", path("stolen.key"), "--force").ok();
        String server = "https://127.0.0.1:" + port;
        Cli.tpmauthOn(SWTPM.tcti(), "attest", "enroll", "--server", server, "--server-ca", path("ca.pem"), "--key",
                path("healthy.key"), "--out", path("healthy.pem"), "--eventlog", path("boot.log")).ok();
        String stolen = Cli.tpmauthOn(OTHER.tcti(), "attest", "enroll", "--server", server, "--server-ca",
                path("ca.pem"), "--key", path("stolen.key"), "--out", path("stolen.pem"), "--eventlog", path("boot.log"))
                .ok().out().lines().findFirst().orElseThrow().replaceFirst("^enrolled as (tpm-[0-9a-f]+).*$", "$1");
        assertTrue(stolen.matches("tpm-[0-9a-f]{32}"), stolen);
        String[] healthyEap = eap(SWTPM, "healthy");
        String[] stolenEap = eap(OTHER, "stolen");
        assertTrue(Cli.tpmauth(stolenEap).ok().out().toLowerCase().contains("accept"), "accepted before revocation");

        Cli.tpmauth("attest", "revoke", "--database", path("attest-db"), "--device", stolen, "--reason",
                "reported stolen").ok();
        Cli.Result renewal = Cli.tpmauthOn(OTHER.tcti(), "attest", "renew", "--server", server, "--server-ca",
                path("ca.pem"), "--key", path("stolen.key"), "--cert", path("stolen.pem"), "--eventlog",
                path("boot.log"), "--force");
        assertEquals(1, renewal.code(), renewal.toString());
        assertTrue(renewal.toString().contains("is revoked: reported stolen"), renewal.toString());

        // the operator fetches the CRL from where the certificate says it is, and hands it to FreeRADIUS
        X509Certificate stolenCert = Certificates.read(dir.resolve("stolen.pem")).get(0);
        String url = ServiceFixture.crlUrl(stolenCert);
        assertEquals(server + "/crl", url);
        Path crl = publishCrl(url);
        String serial = stolenCert.getSerialNumber().toString(16).toUpperCase();
        assertTrue(openssl("crl", "-in", crl.toString(), "-noout", "-text").out().toUpperCase().contains(serial));
        Tools.Output verified = Tools.capture(dir, java.util.Map.of(), "openssl", "verify", "-CAfile", path("ca.pem"),
                "-CRLfile", crl.toString(), "-crl_check", path("stolen.pem"));
        assertTrue(verified.code() != 0 && (verified.out() + verified.err()).contains("certificate revoked"),
                verified.out() + verified.err());
        Tools.capture(dir, java.util.Map.of(), "openssl", "verify", "-CAfile", path("ca.pem"), "-CRLfile",
                crl.toString(), "-crl_check", path("healthy.pem")).ok();

        // FreeRADIUS takes the new CRL at the next authentication
        int logged = radius.log().length();
        Cli.Result refused = Cli.tpmauth(stolenEap);
        assertEquals(1, refused.code(), refused::toString);
        assertTrue(radius.log().substring(logged).contains("certificate revoked"),
                "FreeRADIUS should name the revoked certificate");
        Cli.Result healthy = Cli.tpmauth(healthyEap).ok();
        assertTrue(healthy.out().toLowerCase().contains("accept"), healthy.toString());
    }

    /** {@code tpmauth eap radius} arguments for the class's FreeRADIUS with the key and certificate NAME.key/.pem. */
    private static String[] eap(SwtpmExtension machine, String name) throws Exception {
        Path secret = dir.resolve("radius.secret");
        if (!Files.exists(secret)) {
            Files.writeString(secret, radius.secret + "\n");
        }
        return new String[] {"--tcti", machine.tcti(), "eap", "radius", "--server", "127.0.0.1:" + radius.port,
            "--secret-file", secret.toString(), "--identity", name, "--key", path(name + ".key"), "--cert",
            path(name + ".pem"), "--ca", path("ca.pem")};
    }
}
