package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tss.testing.SwtpmExtension;

/**
 * {@code tpmauth strongswan config} on swtpm: the tpm-plugin route with a key tpm2-tools made as strongSwan's
 * plugin needs it (fixed scheme, noDA, persistent), and the errors for a certificate of another key and for
 * a tpmauth key (no fixed scheme) on the tpm-plugin route.
 */
class StrongswanConfigCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    @BeforeAll
    static void pki() {
        sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "ca.key", "-out", "ca.pem", "-subj", "/CN=test CA", "-days", "1");
        tpmauth("key", "create", "--type", "ec-p256", "--out", dir.resolve("ec.pem").toString()).ok();
        certify(dir.resolve("ec.pem").toString(), "ec");
        sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "other.key",
                "-out", "other.csr", "-subj", "/CN=other");
        sh("openssl", "x509", "-req", "-in", "other.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "1", "-out", "other.crt");
    }

    /**
     * A key from {@code tpmauth key create --scheme ecdsa-sha256}: config persists it, and tpm2-tools reads the
     * fixed scheme and noDA in its public area (what strongSwan's plugin needs).
     */
    @Test
    void tpmPluginRouteWithAKeyMadeForThePlugin() throws Exception {
        Path key = dir.resolve("plugin.pem");
        tpmauth("key", "create", "--type", "ec-p256", "--scheme", "ecdsa-sha256", "--out", key.toString()).ok();
        try {
            certify(key.toString(), "plugin");
            Path out = dir.resolve("plugin-swanctl");
            String said = tpmauth("strongswan", "config", "--via", "tpm-plugin", "--key", key.toString(), "--cert",
                    dir.resolve("plugin.crt").toString(), "--ca", dir.resolve("ca.pem").toString(), "--remote", "192.0.2.1",
                    "--remote-id", "CN=gateway", "--plugin-tcti", "tabrmd:bus_type=session", "--out", out.toString())
                    .ok().out();
            assertTrue(said.contains("persisted " + key + " at 0x81010004"), said);
            SWTPM.disconnect();
            String area = Cli.tool(dir, "tpm2_readpublic", "-T", SWTPM.tcti(), "-c", "0x81010004").succeeded().out();
            assertTrue(area.contains("scheme:\n  value: ecdsa") && area.contains("scheme-halg:\n  value: sha256")
                    && area.contains("noda") && !area.contains("decrypt"), area);
            assertTrue(Files.readString(out.resolve("swanctl.conf")).contains("    handle = 81010004\n"));
            assertTrue(Files.readString(out.resolve("strongswan-tpmauth.conf")).contains("name = tabrmd\n"));
            assertTrue(Files.exists(out.resolve("x509/tpmauth-client.pem")) && Files.exists(out.resolve("x509ca/tpmauth-ca.pem")));
        } finally {
            tpmauth("key", "evict", "--handle", "0x81010004").ok();
        }
    }

    @Test
    void aTpmauthKeyHasNoFixedSchemeForThePlugin() {
        String error = tpmauth("strongswan", "config", "--via", "tpm-plugin", "--key", dir.resolve("ec.pem").toString(),
                "--cert", dir.resolve("ec.crt").toString(), "--ca", dir.resolve("ca.pem").toString(), "--remote",
                "192.0.2.1", "--remote-id", "CN=gateway", "--out", dir.resolve("refused").toString()).fails();
        assertTrue(error.contains("fixed signing scheme") && error.contains("--via pkcs11"), error);
        assertTrue(!Files.exists(dir.resolve("refused")), "nothing written");
    }

    @Test
    void aCertificateOfAnotherKeyIsRefused() {
        String error = tpmauth("strongswan", "config", "--key", dir.resolve("ec.pem").toString(), "--cert",
                dir.resolve("other.crt").toString(), "--ca", dir.resolve("ca.pem").toString(), "--remote", "192.0.2.1",
                "--remote-id", "CN=gateway", "--out", dir.resolve("mismatch").toString()).fails();
        assertTrue(error.contains("does not match its certificate"), error);
    }

    @Test
    void anUnknownRouteIsAUsageError() {
        Cli.Result r = tpmauth("strongswan", "config", "--via", "ipsec.secrets", "--key", "k", "--cert", "c", "--ca", "a",
                "--remote", "r", "--remote-id", "i", "--out", "o");
        assertTrue(r.code() == 2 && r.err().contains("is not pkcs11 or tpm-plugin"), r.toString());
    }

    private static void certify(String key, String name) {
        tpmauth("csr", "--key", key, "--subject", "CN=" + name, "--out", dir.resolve(name + ".csr").toString()).ok();
        sh("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "1", "-out", name + ".crt");
    }

    private static Cli.Result tpmauth(String... args) {
        SWTPM.disconnect();
        return Cli.tpmauthOn(SWTPM.tcti(), args);
    }

    private static void sh(String... command) {
        Cli.tool(dir, command).succeeded();
    }
}
