package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.pkcs11.P11KitModuleConfig;
import org.tpmauth.pkcs11.Pkcs11Server;
import org.tpmauth.pkcs11.Token;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * strongSwan 5.9 in two network namespaces over a veth pair (userspace ESP through kernel-libipsec): a
 * gateway charon with a software key, and a client charon configured by {@code tpmauth strongswan config}
 * that signs with EC and RSA keys in swtpm through the tpmauth PKCS#11 token (p11-kit's client module, the
 * token server in this JVM). IKE_SA and CHILD_SA come up and a ping crosses the tunnel; a client
 * certificate from a foreign CA is refused.
 */
class StrongswanCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    private static final String ID = HexFormat.of().formatHex(SecureRandom.getSeed(3));
    private static final String NS_GW = "tpmauth-ssg-" + ID;
    private static final String NS_CL = "tpmauth-ssc-" + ID;
    private static final String GW_ADDR = "10.231.9.1";
    private static final String CL_ADDR = "10.231.9.2";
    /** The gateway's address inside the tunnel (on its loopback); clients get virtual IPs from 10.232.10.0/24. */
    private static final String INNER = "10.232.9.1";
    private static final List<Process> daemons = new ArrayList<>();
    private static Tpm tpm;
    private static TpmKeys keys;
    private static Pkcs11Server token;
    private static Path keystore;

    @BeforeAll
    static void network() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/charon-systemd")), "charon-systemd is not installed");
        pki();
        sh("ip", "netns", "add", NS_GW);
        sh("ip", "netns", "add", NS_CL);
        sh("ip", "link", "add", "sg" + ID, "netns", NS_GW, "type", "veth", "peer", "name", "sc" + ID, "netns", NS_CL);
        for (String[] side : new String[][] {{NS_GW, "sg" + ID, GW_ADDR + "/30"}, {NS_CL, "sc" + ID, CL_ADDR + "/30"}}) {
            sh("ip", "-n", side[0], "addr", "add", side[2], "dev", side[1]);
            sh("ip", "-n", side[0], "link", "set", side[1], "up");
            sh("ip", "-n", side[0], "link", "set", "lo", "up");
        }
        sh("ip", "-n", NS_GW, "addr", "add", INNER + "/32", "dev", "lo");

        tpm = SWTPM.openTpm();
        keys = new TpmKeys(tpm);
        token = Pkcs11Server.start(Token.open(keys, keystore, "tpmauth", null), dir.resolve("p11.sock"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        Path gw = Files.createDirectories(dir.resolve("gw"));
        Files.createDirectories(gw.resolve("swanctl/x509"));
        Files.createDirectories(gw.resolve("swanctl/x509ca"));
        Files.createDirectories(gw.resolve("swanctl/private"));
        Files.copy(dir.resolve("gateway.pem"), gw.resolve("swanctl/x509/gateway.pem"));
        Files.copy(dir.resolve("gateway.key"), gw.resolve("swanctl/private/gateway.pem"));
        Files.copy(dir.resolve("ca.pem"), gw.resolve("swanctl/x509ca/ca.pem"));
        Files.writeString(gw.resolve("swanctl/swanctl.conf"), """
                connections {
                  rw {
                    version = 2
                    local_addrs = %s
                    pools = rw
                    local {
                      auth = pubkey
                      certs = gateway.pem
                      id = "CN=gateway"
                    }
                    remote {
                      auth = pubkey
                      cacerts = ca.pem
                    }
                    children {
                      net {
                        local_ts = %s/32
                      }
                    }
                  }
                }
                pools {
                  rw {
                    addrs = 10.232.10.0/24
                  }
                }
                """.formatted(GW_ADDR, INNER));
        startCharon(NS_GW, gw, "", "");
        swanctl(NS_GW, gw, "--load-all", "--noprompt").succeeded();

        Path client = Files.createDirectories(dir.resolve("client"));
        writeClientConfig(keystore.resolve("ec.crt.pem"), "ec");
        startCharon(NS_CL, client, " pkcs11", "include " + client.resolve("swanctl/strongswan-tpmauth.conf") + "\n");
    }

    /** A test CA, the gateway's software key and certificate, and the TPM keys with CA-issued certificates. */
    private static void pki() throws Exception {
        keystore = Files.createDirectories(dir.resolve("keystore"));
        for (String ca : new String[] {"ca", "foreign"}) {
            sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                    ca + ".key", "-out", ca + ".pem", "-subj", "/CN=" + ca + " CA", "-days", "1");
        }
        sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "gateway.key",
                "-out", "gateway.csr", "-subj", "/CN=gateway");
        issue("ca", "gateway.csr", "gateway.pem");
        for (String[] key : new String[][] {{"ec", "ec-p256"}, {"rsa", "rsa-2048"}}) {
            Path keyFile = keystore.resolve(key[0] + ".key.pem");
            Cli.tpmauthOn(SWTPM.tcti(), "key", "create", "--type", key[1], "--out", keyFile.toString()).ok();
            Cli.tpmauthOn(SWTPM.tcti(), "csr", "--key", keyFile.toString(), "--subject", "CN=client-" + key[0],
                    "--out", dir.resolve(key[0] + ".csr").toString()).ok();
            issue("ca", key[0] + ".csr", keystore.resolve(key[0] + ".crt.pem").toString());
        }
        issue("foreign", "ec.csr", "ec-foreign.pem");
    }

    private static void issue(String ca, String csr, String out) {
        sh("openssl", "x509", "-req", "-in", csr, "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
                "-days", "1", "-out", out);
    }

    @AfterAll
    static void teardown() throws Exception {
        for (Process p : daemons) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        for (String ns : new String[] {NS_GW, NS_CL}) {
            Cli.tool(Path.of("/"), "ip", "netns", "del", ns);
        }
        if (token != null) {
            token.close();
        }
        if (keys != null) {
            keys.close();
        }
        if (tpm != null) {
            tpm.close();
        }
    }

    @Test
    void ecAndRsaTpmKeysThroughTheTokenBringUpTheTunnel() throws Exception {
        for (String key : new String[] {"ec", "rsa"}) {
            configureClient(keystore.resolve(key + ".crt.pem"), key);
            Cli.Result up = swanctl(NS_CL, dir.resolve("client"), "--initiate", "--child", "net", "--timeout", "20");
            assertTrue(up.code() == 0 && up.out().contains("IKE_SA tpmauth[") && up.out().contains("CHILD_SA net{")
                    && up.out().contains("initiate completed successfully"),
                    key + ": " + up + "\ngateway log:\n" + log("gw") + "\nclient log:\n" + log("client") + read(dir.resolve("client/charon.out")));
            String sas = swanctl(NS_GW, dir.resolve("gw"), "--list-sas").succeeded().out();
            assertTrue(sas.contains("CN=client-" + key) && sas.contains("ESTABLISHED") && sas.contains("INSTALLED"), sas);
            assertTrue(ping(), key + ": ping through the tunnel");
            swanctl(NS_CL, dir.resolve("client"), "--terminate", "--ike", "tpmauth", "--timeout", "10").succeeded();
        }
    }

    @Test
    void aClientCertificateFromAForeignCaIsRefused() throws Exception {
        configureClient(dir.resolve("ec-foreign.pem"), "ec");
        Cli.Result up = swanctl(NS_CL, dir.resolve("client"), "--initiate", "--child", "net", "--timeout", "20");
        assertNotEquals(0, up.code(), up.toString());
        assertTrue(up.out().contains("AUTHENTICATION_FAILED"), up.toString());
        assertFalse(swanctl(NS_GW, dir.resolve("gw"), "--list-sas").succeeded().out().contains("ESTABLISHED"));
        assertFalse(ping());
    }

    private static void configureClient(Path cert, String key) {
        writeClientConfig(cert, key);
        swanctl(NS_CL, dir.resolve("client"), "--load-all", "--noprompt").succeeded();
    }

    private static void writeClientConfig(Path cert, String key) {
        Path swanctlDir = dir.resolve("client/swanctl");
        Cli.tpmauth("strongswan", "config", "--key", keystore.resolve(key + ".key.pem").toString(), "--cert",
                cert.toString(), "--ca", dir.resolve("ca.pem").toString(), "--remote", GW_ADDR, "--remote-id",
                "CN=gateway", "--children", "net=" + INNER + "/32", "--socket", token.socket().toString(), "--out",
                swanctlDir.toString()).ok();
    }

    private static boolean ping() {
        return Cli.tool(dir, "ip", "netns", "exec", NS_CL, "ping", "-c", "1", "-W", "2", INNER).code() == 0;
    }

    /**
     * Starts charon-systemd in {@code ns} with its own strongswan.conf in {@code home} (vici socket, log file,
     * swanctl directory home/swanctl); {@code plugins} adds to the load list, {@code settings} to the file.
     */
    private static void startCharon(String ns, Path home, String plugins, String settings) throws Exception {
        Path socket = home.resolve("charon.vici");
        Files.createDirectories(home.resolve("swanctl"));
        Files.writeString(home.resolve("strongswan.conf"), """
                charon {
                  load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey constraints revocation kdf kernel-libipsec kernel-netlink socket-default vici%s
                  filelog {
                    log {
                      path = %s
                      default = 1
                      flush_line = yes
                      ike = 2
                    }
                  }
                  plugins {
                    vici {
                      socket = unix://%s
                    }
                  }
                }
                swanctl {
                  socket = unix://%s
                }
                %s""".formatted(plugins, home.resolve("charon.log"), socket, socket, settings));
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns, "/usr/sbin/charon-systemd")
                .redirectErrorStream(true).redirectOutput(home.resolve("charon.out").toFile());
        pb.environment().put("STRONGSWAN_CONF", home.resolve("strongswan.conf").toString());
        pb.environment().put("P11_KIT_SERVER_ADDRESS", P11KitModuleConfig.address(token.socket()));
        Process charon = pb.start();
        daemons.add(charon);
        for (int i = 0; i < 200 && !Files.exists(socket); i++) {
            assertTrue(charon.isAlive(), () -> "charon exited: " + read(home.resolve("charon.out")));
            Thread.sleep(25);
        }
        assertTrue(Files.exists(socket), () -> "charon did not open its vici socket: " + read(home.resolve("charon.log")));
    }

    private static Cli.Result swanctl(String ns, Path home, String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "env",
                "STRONGSWAN_CONF=" + home.resolve("strongswan.conf"), "SWANCTL_DIR=" + home.resolve("swanctl"), "swanctl"));
        command.addAll(List.of(args));
        return Cli.tool(home, command.toArray(String[]::new));
    }

    private static String log(String home) {
        return read(dir.resolve(home).resolve("charon.log"));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file + ")";
        } catch (IOException e) {
            return "(" + file + ": " + e.getMessage() + ")";
        }
    }

    private static String sh(String... command) {
        return Cli.tool(dir, command).succeeded().out();
    }
}
