package org.tpmauth.attest.service.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.tpmauth.attest.client.Enroller;
import org.tpmauth.attest.client.MachineEvidence;
import org.tpmauth.attest.client.Renewer;
import org.tpmauth.attest.client.ServiceClient;
import org.tpmauth.attest.client.ServiceRefusal;
import org.tpmauth.attest.service.AttestationServer;
import org.tpmauth.attest.service.CertificateAuthority;
import org.tpmauth.attest.service.Database;
import org.tpmauth.attest.testing.HeadlessChromium;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.testing.EkProvisioning;
import org.tpmauth.attestation.testing.TestCa;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.PcrExtend;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmtHa;

/**
 * The operator's page in a real browser (headless Chromium, Selenium): two machines on their own swtpm,
 * both booted with a real firmware log and enrolled; one then measures something else into PCR 4 and its
 * renewal is refused. The operator's browser finds it red with the broken rule, opens its timeline and
 * revokes it through the confirmation page; the service then refuses the machine for being revoked.
 * Without an operator certificate, or with a machine's (curl presents them: one browser start is enough),
 * the pages answer 403. The page's screenshots land in target/screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorPageBrowserTest {
    @RegisterExtension
    static final SwtpmExtension HEALTHY = new SwtpmExtension();
    @RegisterExtension
    static final SwtpmExtension TAMPERED = new SwtpmExtension();
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    @TempDir
    static Path dir;
    private static ServiceFixture fixture;
    private static Database db;
    private static AttestationServer server;
    private static ServiceClient client;
    private static TestCa operatorCa;
    private static Machine healthy;
    private static Machine tampered;
    private static String origin;

    /** A machine: its TPM, AK, network key and certificates. */
    private record Machine(Tpm tpm, TpmKeys keys, TpmKey ak, TpmKey key, Enroller.Result enrolled) {
        static Machine enroll(SwtpmExtension swtpm) throws Exception {
            Tpm tpm = new Tpm(swtpm.openTpm().tcti(), true);
            TpmKeys keys = new TpmKeys(tpm);
            fixture.boot(tpm);
            TpmKey ak = keys.load(AttestationKeys.create(tpm, KeyAlgorithm.EC_P256), null);
            TpmKey key = keys.load(keys.create(KeyAlgorithm.EC_P256, null, TpmHandles.RH_OWNER), null);
            Enroller.Result enrolled = new Enroller(client).enroll(tpm, Enroller.ekCertificate(tpm), key, ak, "default",
                    MachineEvidence.DEFAULT_PCRS, fixture.log);
            return new Machine(tpm, keys, ak, key, enrolled);
        }

        String device() {
            return enrolled.device();
        }

        void renew() throws Exception {
            new Renewer(client).renew(keys, key, List.of(enrolled.certificate()), ak, enrolled.akCertificate(),
                    MachineEvidence.DEFAULT_PCRS, fixture.log);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(HeadlessChromium.missing() == null, HeadlessChromium.missing());
        Path ekRoots = Files.createDirectories(dir.resolve("ek-roots"));
        for (SwtpmExtension swtpm : List.of(HEALTHY, TAMPERED)) {
            Path ca = EkProvisioning.manufacture(swtpm).caDirectory();
            try (var files = Files.list(ca)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(f, ekRoots.resolve(swtpm.port() + "-" + f.getFileName()));
                }
            }
        }
        fixture = new ServiceFixture(dir);
        operatorCa = TestCa.root("tpmauth operator CA");
        db = Database.open(dir.resolve("attest").toString());
        server = fixture.start(db, ekRoots, Duration.ofHours(8), List.of(operatorCa.certificate()));
        client = fixture.client(server);
        origin = "https://localhost:" + server.port();
        healthy = Machine.enroll(HEALTHY);
        tampered = Machine.enroll(TAMPERED);
        // another bootloader measured into PCR 4: the next renewal fails the reference state
        tampered.tpm().execute(new PcrExtend(4, List.of(new TpmtHa(TpmAlg.SHA1, new byte[20]),
                new TpmtHa(TpmAlg.SHA256, new byte[32]))));
        assertThrows(ServiceRefusal.class, tampered::renew);
        healthy.renew();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
            db.close();
            healthy.keys().close();
            tampered.keys().close();
        }
    }

    @Test
    @Order(1)
    void operatorFindsTheTamperedMachineRedAndRevokesIt() throws Exception {
        KeyPair alice = ServiceFixture.ecKeyPair();
        var aliceCert = new CertificateAuthority(operatorCa.key(), operatorCa.certificate(), Duration.ofDays(1), null)
                .issueMachine(alice.getPublic(), "alice", "operators");
        try (HeadlessChromium browser = HeadlessChromium.start(Files.createDirectories(dir.resolve("alice")),
                fixture.ca.certificate(), new HeadlessChromium.ClientCertificate(aliceCert, alice.getPrivate()), origin)) {
            WebDriver page = browser.driver();
            page.get(origin + "/operator/");
            assertTrue(page.findElement(By.cssSelector("header .who")).getText().contains("CN=alice"), page.getPageSource());
            WebElement bad = row(page, tampered.device());
            assertEquals("failed", bad.getAttribute("class"));
            assertEquals("rgba(253, 226, 225, 1)", bad.findElement(By.tagName("td")).getCssValue("background-color"),
                    "the failed machine's row is red");
            assertTrue(bad.getText().contains("FAILED renew") && bad.getText().contains("pcr:sha256:4"), bad.getText());
            WebElement good = row(page, healthy.device());
            assertEquals("passed", good.getAttribute("class"));
            assertTrue(good.getText().contains("passed renew") && good.getText().contains("in 7 h"), good.getText());
            browser.screenshot(SCREENSHOTS.resolve("operator-page.png"));

            bad.findElement(By.cssSelector("a.machine")).click();
            List<WebElement> timeline = page.findElements(By.cssSelector("#timeline tbody tr"));
            assertEquals(List.of("renew FAILED", "activate passed", "enroll passed"), timeline.stream()
                    .map(r -> r.findElements(By.tagName("td")).get(1).getText() + " "
                            + r.findElements(By.tagName("td")).get(2).getText()).toList());
            assertTrue(timeline.get(0).getText().contains("replay:sha256:4"), timeline.get(0).getText());

            page.findElement(By.id("revoke")).click();
            page.findElement(By.id("confirm")); // the confirmation page
            assertTrue(page.findElement(By.tagName("h1")).getText().contains("Revoke " + tampered.device() + "?"));
            page.findElement(By.id("reason")).sendKeys("booted an unknown bootloader");
            page.findElement(By.id("confirm-revoke")).click();
            WebElement revoked = page.findElement(By.cssSelector("#machine tbody tr.revoked"));
            String url = page.getCurrentUrl();
            assertTrue(url.endsWith("/operator/machine?device=" + tampered.device()), url);
            assertTrue(revoked.getText().contains("booted an unknown bootloader (revoked by operator CN=alice,OU=operators)"),
                    revoked.getText());
            assertTrue(!page.getPageSource().contains("id=\"revoke\""), "no second revocation is offered");
            browser.screenshot(SCREENSHOTS.resolve("operator-timeline.png"));
        }
        ServiceRefusal refused = assertThrows(ServiceRefusal.class, tampered::renew);
        assertTrue(refused.getMessage().contains("FAIL revoked: device " + tampered.device()
                + " is revoked: booted an unknown bootloader"), refused.getMessage());
        healthy.renew(); // the healthy machine is untouched
    }

    private static WebElement row(WebDriver page, String device) {
        return page.findElement(By.cssSelector("#machines tr[data-device='" + device + "']"));
    }

    @Test
    @Order(2)
    void aMachineCertificateDoesNotOpenThePage() throws Exception {
        KeyPair machineKey = ServiceFixture.ecKeyPair();
        var machineCert = server.verification().ca().issueMachine(machineKey.getPublic(), "tpm-software", "default");
        Tools.Output refused = curl(concat(clientCertificate("machine", machineCert, machineKey), "-w", "\nHTTP %{http_code}",
                origin + "/operator/"));
        assertTrue(refused.out().endsWith("HTTP 403")
                && refused.out().contains("CN=tpm-software,OU=default is not an operator certificate"), refused.out());
    }

    @Test
    @Order(3)
    void withoutACertificateOrAnOperatorCaThePageIsRefusedAndTheMachineEndpointsWork() throws Exception {
        Tools.Output none = curl("-w", "\nHTTP %{http_code}", origin + "/operator/");
        assertTrue(none.out().endsWith("HTTP 403") && none.out().contains("this browser sent none"), none.out());
        Tools.Output cacerts = curl("-w", "\nHTTP %{http_code}", origin + "/.well-known/est/cacerts");
        assertTrue(cacerts.out().endsWith("HTTP 200"), cacerts.out());
        try (AttestationServer plain = fixture.start(db, dir.resolve("ek-roots"), Duration.ofHours(8))) {
            Tools.Output off = curl("-w", "\nHTTP %{http_code}", "--resolve", "localhost:" + plain.port() + ":127.0.0.1",
                    "https://localhost:" + plain.port() + "/operator/");
            assertTrue(off.out().endsWith("HTTP 403") && off.out().contains("The operator pages are off"), off.out());
        }
    }

    @Test
    @Order(4)
    void aRevocationPostedWithoutTheConfirmationTokenIsRefused() throws Exception {
        KeyPair bob = ServiceFixture.ecKeyPair();
        var bobCert = new CertificateAuthority(operatorCa.key(), operatorCa.certificate(), Duration.ofDays(1), null)
                .issueMachine(bob.getPublic(), "bob", "operators");
        String[] asBob = concat(clientCertificate("bob", bobCert, bob), "-w", "\nHTTP %{http_code}");
        Tools.Output page = curl(concat(asBob, origin + "/operator/revoke?device=" + healthy.device()));
        assertTrue(page.out().endsWith("HTTP 200") && page.out().contains("name=\"token\""), page.out());
        Tools.Output forged = curl(concat(asBob, "--data", "device=" + healthy.device() + "&reason=x&token=1.AAAA",
                origin + "/operator/revoke"));
        assertTrue(forged.out().endsWith("HTTP 403") && forged.out().contains("This confirmation is not valid"),
                forged.out());
        Tools.Output crossSite = curl(concat(asBob, "-H", "Origin: https://evil.example", "--data",
                "device=" + healthy.device() + "&reason=x&token=1.AAAA", origin + "/operator/revoke"));
        assertTrue(crossSite.out().endsWith("HTTP 403") && crossSite.out().contains("not from another site"),
                crossSite.out());
        assertTrue(db.revocation(healthy.device()).isEmpty());
    }

    /** curl's options to authenticate with {@code cert} and its software key. */
    private static String[] clientCertificate(String name, java.security.cert.X509Certificate cert, KeyPair key)
            throws Exception {
        Path pem = TestPki.writePem(dir.resolve(name + ".pem"), cert);
        Path keyPem = TestPki.writePem(dir.resolve(name + ".key"), key.getPrivate());
        return new String[] {"--cert", pem.toString(), "--key", keyPem.toString()};
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Tools.Output curl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-sS", "--cacert", fixture.caPem.toString(),
                "--resolve", "localhost:" + server.port() + ":127.0.0.1"));
        command.addAll(List.of(args));
        return Tools.capture(dir, Map.of(), command.toArray(String[]::new)).ok();
    }
}
