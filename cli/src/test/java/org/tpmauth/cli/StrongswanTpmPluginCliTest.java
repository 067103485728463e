package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * The tpm-plugin route end to end ({@link StrongswanLab}): an RSA key made as strongSwan's tpm plugin needs it
 * ({@code tpmauth key create --scheme rsassa-sha256}: the scheme fixed, noDA), persisted in swtpm by
 * {@code tpmauth strongswan config --via tpm-plugin}, and the client charon's tpm plugin reaching swtpm through tpm2-abrmd on a private D-Bus (the
 * plugin cannot talk to swtpm itself). IKE_SA and CHILD_SA come up and a ping crosses the tunnel.
 */
class StrongswanTpmPluginCliTest {
    private static final String HANDLE = "0x81010004";

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
        String key = dir.resolve("plugin.key.pem").toString();
        Cli.tpmauthOn(SWTPM.tcti(), "key", "create", "--type", "rsa-2048", "--scheme", "rsassa-sha256", "--out", key)
                .ok();
        Cli.tpmauthOn(SWTPM.tcti(), "csr", "--key", key, "--subject", "CN=client-plugin", "--out",
                dir.resolve("plugin.csr").toString()).ok();
        StrongswanLab.issue(dir, "ca", "plugin.csr", "plugin.crt");
        Cli.tpmauthOn(SWTPM.tcti(), "strongswan", "config", "--via", "tpm-plugin", "--key", key, "--handle", HANDLE,
                "--cert", dir.resolve("plugin.crt").toString(), "--ca", dir.resolve("ca.pem").toString(), "--remote",
                StrongswanLab.GW_ADDR, "--remote-id", "CN=gateway", "--children", "net=" + StrongswanLab.INNER + "/32",
                "--plugin-tcti", "tabrmd:bus_type=system", "--out", dir.resolve("client/swanctl").toString()).ok();
        SWTPM.disconnect();
        broker = OpenConnectTpm.forTcti(TctiConfig.parse(SWTPM.tcti()), Files.createDirectories(dir.resolve("bus")));
        lab = StrongswanLab.start(dir, " tpm", broker.environment());
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

    /** The issue's speed comparison for this route (-Dtpmauth.bench=true), as StrongswanCliTest's for pkcs11. */
    @Test
    @EnabledIfSystemProperty(named = "tpmauth.bench", matches = "true")
    void initiateTimesPluginVersusSoftwareKey() throws Exception {
        lab.benchAgainstSoftwareKey("tpm-plugin", "CN=client-plugin", Integer.getInteger("tpmauth.bench.rounds", 5),
                Integer.getInteger("tpmauth.bench.runs", 10));
    }
}
