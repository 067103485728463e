package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attestation.testing.EkProvisioning;
import org.tpmauth.attestation.testing.RealLogs;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;

/**
 * {@code tpmauth --tcti ... attest server} whose CA key is a TSS2 key file: the CA's private key is born in the
 * service's own TPM and never exists in software; machine certificates, AK certificates and the CRL are signed
 * inside that TPM and verify against the CA certificate with openssl.
 */
class AttestServerTpmCaCliTest {
    /** The machine that enrolls. */
    @RegisterExtension
    static final SwtpmExtension MACHINE = new SwtpmExtension();
    /** The service's TPM, holding the CA key. */
    @RegisterExtension
    static final SwtpmExtension SERVICE_TPM = new SwtpmExtension();
    @TempDir
    static Path dir;

    @Test
    void certificatesAndTheCrlAreSignedInsideTheServicesTpm() throws Exception {
        ServiceFixture fixture = new ServiceFixture(dir);
        EkProvisioning manufacturer = fixture.manufactureAndBoot(MACHINE);
        Files.write(dir.resolve("boot.log"), fixture.log);

        // the CA key is born in the service's TPM; its self-signed certificate is signed there (tpm2-openssl)
        Cli.tpmauthOn(SERVICE_TPM.tcti(), "key", "create", "--out", path("ca.key")).ok();
        String tpmPublic = Cli.tpmauthOn(SERVICE_TPM.tcti(), "key", "public", "--key", path("ca.key")).ok().out();
        SERVICE_TPM.disconnect();
        Tools.capture(dir, Map.of("TPM2OPENSSL_TCTI", SERVICE_TPM.tcti()), "openssl", "req", "-new", "-x509",
                "-provider", "tpm2", "-provider", "default", "-propquery", "?provider=tpm2", "-key", path("ca.key"),
                "-subj", "/CN=machine CA in a TPM", "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", path("ca.pem")).ok();
        assertEquals(tpmPublic.strip(), openssl("x509", "-in", path("ca.pem"), "-pubkey", "-noout").out().strip());
        assertTrue(Files.readString(dir.resolve("ca.key")).startsWith("-----BEGIN TSS2 PRIVATE KEY-----"));
        assertNotEquals(0, Tools.capture(dir, Map.of(), "openssl", "pkey", "-in", path("ca.key"), "-noout").code(),
                "the key file holds no private key software can use");

        // the service's TLS identity is an ordinary software key from another CA
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "tls-ca.key", "-out", "tls-ca.pem", "-subj", "/CN=service TLS CA", "-days", "2", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tls.key", "-out",
                "tls.csr", "-subj", "/CN=attest.example");
        Files.writeString(dir.resolve("tls.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        openssl("x509", "-req", "-in", "tls.csr", "-CA", "tls-ca.pem", "-CAkey", "tls-ca.key", "-CAcreateserial",
                "-out", "tls.pem", "-days", "2", "-extfile", path("tls.ext"));
        Cli.tpmauth("attest", "refstate", "create", "--from-log", RealLogs.dir().resolve(ServiceFixture.LOG).toString(),
                "--pin", "0,2,4", "--out", path("ref.json")).ok();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("service.json"), "{\"port\": " + port + ", \"bind\": \"127.0.0.1\", \"ca-key\": \""
                + path("ca.key") + "\", \"ca-cert\": \"" + path("ca.pem") + "\", \"tls-key\": \"" + path("tls.key")
                + "\", \"tls-cert\": \"" + path("tls.pem") + "\", \"ek-roots\": \"" + manufacturer.caDirectory()
                + "\", \"refstate\": \"" + path("ref.json") + "\", \"database\": \"" + path("attest-db") + "\"}");
        // the service's TPM comes from the global --tcti, as for every other command
        Thread service = new Thread(() -> Cli.tpmauthOn(SERVICE_TPM.tcti(), "attest", "server", "--config",
                path("service.json")), "service");
        service.setDaemon(true); // serves until the test JVM ends
        service.start();
        Cli.awaitPort(port);

        Cli.tpmauthOn(MACHINE.tcti(), "key", "create", "--out", path("machine.key")).ok();
        Cli.tpmauthOn(MACHINE.tcti(), "attest", "enroll", "--server", "https://127.0.0.1:" + port, "--server-ca",
                path("tls-ca.pem"), "--key", path("machine.key"), "--out", path("machine.pem"), "--eventlog",
                path("boot.log")).ok();
        X509Certificate ca = Certificates.read(dir.resolve("ca.pem")).get(0);
        X509Certificate machine = Certificates.read(dir.resolve("machine.pem")).get(0);
        machine.verify(ca.getPublicKey());
        Certificates.read(dir.resolve("machine-ak-cert.pem")).get(0).verify(ca.getPublicKey());
        assertTrue(openssl("verify", "-CAfile", path("ca.pem"), path("machine.pem")).out().contains("machine.pem: OK"));

        // the CRL, from where the certificate says it is, is signed by the same TPM key
        String crlUrl = ServiceFixture.crlUrl(machine);
        assertEquals("https://127.0.0.1:" + port + "/crl", crlUrl);
        Tools.capture(dir, Map.of(), "curl", "-sS", "--fail", "--cacert", path("tls-ca.pem"), "-o", path("crl.der"),
                crlUrl).ok();
        Cli.Result crl = openssl("crl", "-inform", "DER", "-in", path("crl.der"), "-CAfile", path("ca.pem"), "-noout");
        assertTrue((crl.out() + crl.err()).contains("verify OK"), crl.out() + crl.err());
    }

    private static Cli.Result openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        return Cli.tool(dir, command.toArray(String[]::new)).succeeded();
    }

    private static String path(String name) {
        return dir.resolve(name).toString();
    }
}
