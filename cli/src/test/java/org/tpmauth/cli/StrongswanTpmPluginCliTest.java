package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.transport.TctiConfig;
import org.tpmauth.vpn.openconnect.OpenConnectTpm;

/**
 * The tpm-plugin route end to end ({@link StrongswanLab}): an RSA key made as strongSwan's tpm plugin needs it
 * (tpm2-tools: fixed rsassa-sha256 scheme, noDA) persistent in swtpm, {@code tpmauth strongswan config --via
 * tpm-plugin}, and the client charon's tpm plugin reaching swtpm through tpm2-abrmd on a private D-Bus (the
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
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/charon-systemd")), "charon-systemd is not installed");
        StrongswanLab.pki(dir);
        Tools.run(SWTPM, "tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "ecc256:aes128cfb", "-c", "srk.ctx");
        Tools.run(SWTPM, "tpm2_create", "-C", "srk.ctx", "-G", "rsa2048:rsassa-sha256", "-a",
                "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign|noda", "-u", "vpn.pub", "-r", "vpn.priv");
        Tools.run(SWTPM, "tpm2_flushcontext", "-t");
        Tools.run(SWTPM, "tpm2_load", "-C", "srk.ctx", "-u", "vpn.pub", "-r", "vpn.priv", "-c", "vpn.ctx");
        Tools.run(SWTPM, "tpm2_evictcontrol", "-C", "o", "-c", "vpn.ctx", HANDLE);
        Tools.run(SWTPM, "tpm2_flushcontext", "-t");
        Cli.tpmauthOn(SWTPM.tcti(), "csr", "--key", HANDLE, "--subject", "CN=client-plugin", "--out",
                dir.resolve("plugin.csr").toString()).ok();
        StrongswanLab.issue(dir, "ca", "plugin.csr", "plugin.crt");
        Cli.tpmauthOn(SWTPM.tcti(), "strongswan", "config", "--via", "tpm-plugin", "--key", HANDLE, "--cert",
                dir.resolve("plugin.crt").toString(), "--ca", dir.resolve("ca.pem").toString(), "--remote",
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
}
