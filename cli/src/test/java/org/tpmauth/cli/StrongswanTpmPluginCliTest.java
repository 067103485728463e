package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.transport.TctiConfig;
import org.tpmauth.vpn.openconnect.OpenConnectTpm;

/**
 * The tpm-plugin route end to end ({@link StrongswanLab}): RSA and EC keys made as strongSwan's tpm plugin needs
 * them ({@code tpmauth key create --scheme rsassa-sha256 / ecdsa-sha256}: the scheme fixed, noDA), persisted in swtpm by
 * {@code tpmauth strongswan config --via tpm-plugin}, and the client charon's tpm plugin reaching swtpm through tpm2-abrmd on a private D-Bus (the
 * plugin cannot talk to swtpm itself). IKE_SA and CHILD_SA come up and a ping crosses the tunnel, with either key.
 */
class StrongswanTpmPluginCliTest {
    private static final String HANDLE = "0x81010004";
    private static final String EC_HANDLE = "0x81010005";

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    private static OpenConnectTpm broker;
    private static StrongswanLab lab;

    @BeforeAll
    static void start() throws Exception {
        StrongswanLab.assumeAvailable();
        StrongswanLab.pki(dir);
        pluginKey("plugin", "rsa-2048", "rsassa-sha256", HANDLE, "client");
        pluginKey("plugin-ec", "ec-p256", "ecdsa-sha256", EC_HANDLE, "client-ec");
        SWTPM.disconnect();
        broker = OpenConnectTpm.forTcti(TctiConfig.parse(SWTPM.tcti()), Files.createDirectories(dir.resolve("bus")));
        lab = StrongswanLab.start(dir, " tpm", broker.environment());
    }

    /**
     * A key for the plugin ({@code tpmauth key create --scheme}), its certificate (CN=client-NAME) and
     * {@code strongswan config --via tpm-plugin}, which persists it at {@code handle}, into dir/CLIENT/swanctl.
     */
    private static void pluginKey(String name, String type, String scheme, String handle, String client) {
        String key = dir.resolve(name + ".key.pem").toString();
        Cli.tpmauthOn(SWTPM.tcti(), "key", "create", "--type", type, "--scheme", scheme, "--out", key).ok();
        Cli.tpmauthOn(SWTPM.tcti(), "csr", "--key", key, "--subject", "CN=client-" + name, "--out",
                dir.resolve(name + ".csr").toString()).ok();
        StrongswanLab.issue(dir, "ca", name + ".csr", name + ".crt");
        Cli.tpmauthOn(SWTPM.tcti(), "strongswan", "config", "--via", "tpm-plugin", "--key", key, "--handle", handle,
                "--cert", dir.resolve(name + ".crt").toString(), "--ca", dir.resolve("ca.pem").toString(), "--remote",
                StrongswanLab.GW_ADDR, "--remote-id", "CN=gateway", "--children", "net=" + StrongswanLab.INNER + "/32",
                "--plugin-tcti", "tabrmd:bus_type=system", "--out", dir.resolve(client + "/swanctl").toString()).ok();
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void thePluginSignsWithThePersistentRsaKey() {
        Cli.Result up = lab.connect("net");
        assertTrue(up.code() == 0 && up.out().contains("CHILD_SA net{")
                && up.out().contains("initiate completed successfully"), up + "\n" + lab.logs());
        assertTrue(lab.gatewaySas().contains("CN=client-plugin"));
        assertTrue(lab.ping(), "ping through the tunnel");
        lab.disconnect();
    }

    /**
     * An EC key ({@code --scheme ecdsa-sha256}) through the plugin, its swanctl files in place of the RSA key's
     * for this test. The plugin mis-encodes about 1 ECDSA signature in 256 (README), so a failed authentication
     * is tried once more; two in a row would be a real failure.
     */
    @Test
    void thePluginSignsWithAPersistentEcKey() throws Exception {
        Path swanctl = dir.resolve("client/swanctl");
        List<String> files = List.of("swanctl.conf", "x509/tpmauth-client.pem");
        Map<String, byte[]> rsa = new HashMap<>();
        for (String f : files) {
            rsa.put(f, Files.readAllBytes(swanctl.resolve(f)));
            Files.copy(dir.resolve("client-ec/swanctl").resolve(f), swanctl.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            Cli.Result up = lab.connect("net");
            if (up.code() != 0) {
                up = lab.initiate("net");
            }
            assertTrue(up.code() == 0 && up.out().contains("CHILD_SA net{"), up + "\n" + lab.logs());
            assertTrue(lab.gatewaySas().contains("CN=client-plugin-ec"));
            assertTrue(lab.ping(), "ping through the tunnel");
            lab.disconnect();
        } finally {
            for (String f : files) {
                Files.write(swanctl.resolve(f), rsa.get(f));
            }
        }
    }

    /** The issue's speed comparison for this route (-Dtpmauth.bench=true), as StrongswanCliTest's for pkcs11. */
    @Test
    @EnabledIfSystemProperty(named = "tpmauth.bench", matches = "true")
    void initiateTimesPluginVersusSoftwareKey() throws Exception {
        lab.benchAgainstSoftwareKey("tpm-plugin", "CN=client-plugin", Integer.getInteger("tpmauth.bench.rounds", 5),
                Integer.getInteger("tpmauth.bench.runs", 10));
    }
}
