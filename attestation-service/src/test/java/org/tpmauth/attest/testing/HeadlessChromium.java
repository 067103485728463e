package org.tpmauth.attest.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tss.testing.Tools;

/**
 * Debian's chromium, headless, driven by Selenium through Debian's chromedriver (set explicitly: Selenium
 * Manager never downloads anything). The browser gets a HOME of its own whose NSS database
 * ({@code $HOME/.pki/nssdb}, where Chromium on Linux keeps certificates) trusts the service's CA and
 * may hold a client certificate; a profile preference (the content setting behind the
 * AutoSelectCertificateForUrls policy) selects that certificate for one origin without asking. Nothing
 * outside {@code home} is written: no policy file, no system trust store.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Path BROWSER = Path.of("/usr/lib/chromium/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChromeDriverService service;
    private final ChromeDriver driver;

    /** A client certificate for the browser: the certificate and its private key. */
    public record ClientCertificate(X509Certificate certificate, PrivateKey key) {
    }

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    /** Why the browser cannot run here, or null when Debian's chromium and chromedriver are installed. */
    public static String missing() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER) ? null
                : BROWSER + " or " + DRIVER + " is missing: apt-get install chromium chromium-driver libnss3-tools "
                        + "(scripts/install-deps.sh installs them)";
    }

    /**
     * Starts the browser.
     *
     * @param home      an empty directory for the browser's HOME and profile
     * @param trusted   the CA the service's TLS certificate chains to
     * @param client    the client certificate to present, or null for none
     * @param origin    the origin that gets {@code client} without a prompt, e.g. https://localhost:8443
     */
    public static HeadlessChromium start(Path home, X509Certificate trusted, ClientCertificate client, String origin)
            throws IOException {
        Path nssdb = Files.createDirectories(home.resolve(".pki/nssdb"));
        Path profile = Files.createDirectories(home.resolve("profile/Default"));
        Path ca = TestPki.writePem(home.resolve("service-ca.pem"), trusted);
        String db = "sql:" + nssdb;
        Tools.capture(home, Map.of(), "certutil", "-N", "-d", db, "--empty-password").ok();
        Tools.capture(home, Map.of(), "certutil", "-A", "-d", db, "-n", "service CA", "-t", "C,,", "-i", ca.toString()).ok();
        ObjectNode preferences = JSON.createObjectNode();
        if (client != null) {
            Path cert = TestPki.writePem(home.resolve("client.pem"), client.certificate());
            Path key = TestPki.writePem(home.resolve("client.key"), client.key());
            Path p12 = home.resolve("client.p12");
            Tools.capture(home, Map.of(), "openssl", "pkcs12", "-export", "-in", cert.toString(), "-inkey", key.toString(),
                    "-name", "client", "-out", p12.toString(), "-passout", "pass:test").ok();
            Tools.capture(home, Map.of(), "pk12util", "-i", p12.toString(), "-d", db, "-W", "test").ok();
            Files.delete(key);
            preferences.putObject("profile").putObject("content_settings").putObject("exceptions")
                    .putObject("auto_select_certificate").putObject(origin + ",*").putObject("setting")
                    .putArray("filters").addObject().putObject("ISSUER").put("CN", issuerCommonName(client.certificate()));
        }
        Files.writeString(profile.resolve("Preferences"), preferences.toString());

        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900", "--user-data-dir=" + home.resolve("profile"),
                "--host-resolver-rules=MAP localhost 127.0.0.1");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().withEnvironment(Map.of("HOME", home.toString()))
                .withLogFile(home.resolve("chromedriver.log").toFile()).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        // a click that submits a form returns before the next page is there: finding an element waits for it
        driver.manage().timeouts().implicitlyWait(Duration.ofSeconds(10));
        return new HeadlessChromium(service, driver);
    }

    public WebDriver driver() {
        return driver;
    }

    /** Saves a PNG of the window to {@code file}. */
    public void screenshot(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String issuerCommonName(X509Certificate cert) {
        X500Name issuer = X500Name.getInstance(cert.getIssuerX500Principal().getEncoded());
        return IETFUtils.valueToString(issuer.getRDNs(BCStyle.CN)[0].getFirst().getValue());
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
