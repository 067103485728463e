package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.eap.provision.EapTlsProfile;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * tpmauth nm provision --offline and tpmauth wpa-supplicant config on a real swtpm: key and CSR (openssl
 * verifies it), the CA's certificate installed (a foreign one refused), the keyfile printed and read
 * back by nmcli --offline when NetworkManager is installed, the wpa_supplicant block.
 */
class NmProvisionCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    Path dir;

    private Cli.Result provision(String... more) {
        String[] base = {"nm", "provision", "--connection", "office", "--wired", "eth0", "--identity",
            "device-7@example.org", "--ca", dir.resolve("ca.pem").toString(), "--keystore",
            dir.resolve("keystore").toString(), "--offline"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return Cli.tpmauthOn(SWTPM.tcti(), all);
    }

    @Test
    void csrThenCertificateThenKeyfile() throws Exception {
        Cli.tool(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=802.1X CA", "-days", "1").succeeded();
        String keyfile = provision("--csr-out", dir.resolve("req.pem").toString()).ok().out();
        assertTrue(Files.exists(dir.resolve("keystore/office.key")));
        assertFalse(Files.exists(dir.resolve("keystore/office.crt")));
        String req = Cli.tool(dir, "openssl", "req", "-in", "req.pem", "-verify", "-noout", "-subject").succeeded().out()
                + Cli.tool(dir, "openssl", "req", "-in", "req.pem", "-verify", "-noout").err();
        assertTrue(req.contains("CN = device-7@example.org") && req.contains("verify OK"), req);

        assertTrue(keyfile.contains("[802-1x]\nca-cert=" + dir.resolve("ca.pem") + "\n"
                + "client-cert=pkcs11:token=tpmauth;object=office;type=cert\nclient-cert-password-flags=4\neap=tls;\n"
                + "identity=device-7@example.org\nprivate-key=pkcs11:token=tpmauth;object=office;type=private\n"), keyfile);
        assertTrue(keyfile.contains("type=ethernet\ninterface-name=eth0\n"), keyfile);

        Cli.tool(dir, "openssl", "x509", "-req", "-in", "req.pem", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "1", "-out", "cert.pem").succeeded();
        provision("--cert", dir.resolve("cert.pem").toString()).ok();
        assertEquals(Files.readString(dir.resolve("cert.pem")), Files.readString(dir.resolve("keystore/office.crt")));

        // a certificate for another key is refused
        Cli.tool(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "other.key", "-out", "other.pem", "-subj", "/CN=other", "-days", "1").succeeded();
        String error = provision("--cert", dir.resolve("other.pem").toString()).fails();
        assertTrue(error.contains("does not match"), error);
    }

    @Test
    void keyfilesReadBackWithNmcliOffline() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/nmcli")), "NetworkManager not installed");
        String keyfile = new EapTlsProfile("office", new EapTlsProfile.Wired("eth0"), "device-7@example.org",
                Path.of("/etc/ssl/ca.pem"), "tpmauth", Optional.empty()).keyfile(UUID.randomUUID());
        Files.writeString(dir.resolve("office.nmconnection"), keyfile);
        Cli.Result parsed = Cli.tool(dir, "sh", "-c", "nmcli --offline connection modify connection.autoconnect no"
                + " < office.nmconnection");
        assertEquals(0, parsed.code(), parsed::toString);
        assertTrue(parsed.out().contains("private-key=pkcs11:token=tpmauth;object=office;type=private"), parsed.out());
        assertTrue(parsed.out().contains("client-cert=pkcs11:token=tpmauth;object=office;type=cert"), parsed.out());
        String wifi = new EapTlsProfile("corp", new EapTlsProfile.Wifi("CorpNet"), "laptop", Path.of("/etc/ssl/ca.pem"),
                "tpmauth", Optional.of("1234")).keyfile(UUID.randomUUID());
        Files.writeString(dir.resolve("corp.nmconnection"), wifi);
        parsed = Cli.tool(dir, "sh", "-c", "nmcli --offline connection modify connection.autoconnect no < corp.nmconnection");
        assertEquals(0, parsed.code(), parsed::toString);
        assertTrue(parsed.out().contains("ssid=CorpNet") && parsed.out().contains("key-mgmt=wpa-eap"), parsed.out());
    }

    @Test
    void wpaSupplicantConfigForWifiAndWired() {
        String wifi = Cli.tpmauth("wpa-supplicant", "config", "--connection", "corp", "--ssid", "CorpNet", "--identity",
                "laptop-3", "--ca", "/etc/ssl/corp-ca.pem").ok().out();
        assertTrue(wifi.contains("pkcs11_module_path=/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so\n"), wifi);
        assertTrue(wifi.contains("    ssid=\"CorpNet\"\n    key_mgmt=WPA-EAP\n    eap=TLS\n"), wifi);
        assertTrue(wifi.contains("    private_key=\"pkcs11:token=tpmauth;object=corp;type=private\"\n"), wifi);
        String wired = Cli.tpmauth("wpa-supplicant", "config", "--connection", "port", "--wired", "eth1", "--identity",
                "box", "--ca", "/etc/ssl/ca.pem").ok().out();
        assertTrue(wired.contains("ap_scan=0\n") && wired.contains("key_mgmt=IEEE8021X\n    eapol_flags=0\n"), wired);
        String both = Cli.tpmauth("wpa-supplicant", "config", "--connection", "x", "--wired", "eth1", "--ssid", "S",
                "--identity", "box", "--ca", "/etc/ssl/ca.pem").err();
        assertTrue(both.contains("mutually exclusive"), both);
    }
}
