package org.tpmauth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.vpn.openconnect.Ocserv;

/**
 * {@code tpmauth key create} writes a key file, {@code tpmauth openconnect} runs openconnect with it
 * against ocserv (certificate authentication) on the swtpm that --tcti names; a certificate of another key
 * is refused before openconnect starts.
 */
class OpenConnectCliTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    @TempDir
    static Path dir;

    static TestPki pki;
    static Path ca;
    static Ocserv ocserv;

    @BeforeAll
    static void start() throws Exception {
        SWTPM.disconnect();
        pki = new TestPki("openconnect cli CA");
        ca = TestPki.writePem(dir.resolve("ca.pem"), pki.ca);
        var server = TestPki.rsaKey();
        ocserv = Ocserv.start(dir, TestPki.writePem(dir.resolve("server.crt.pem"), pki.issue(server.getPublic(), "server")),
                TestPki.writePem(dir.resolve("server.key.pem"), server.getPrivate()), ca, false);
    }

    @AfterAll
    static void stop() {
        ocserv.close();
    }

    /** A key made by `tpmauth key create` and a certificate for it from the test CA. */
    private static Path[] keyAndCert(String type) throws Exception {
        Path key = dir.resolve(type + ".key.pem");
        Cli.tpmauthOn(SWTPM.tcti(), "key", "create", "--type", type, "--out", key.toString(), "--force").ok();
        String pem = Cli.tpmauthOn(SWTPM.tcti(), "key", "public", "--key", key.toString()).ok().out();
        PublicKey pub = publicKey(pem, type.startsWith("ec") ? "EC" : "RSA");
        Path cert = TestPki.writePem(dir.resolve(type + ".crt.pem"), pki.issue(pub, "laptop-" + type));
        return new Path[] {key, cert};
    }

    private static PublicKey publicKey(String pem, String algorithm) throws Exception {
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    @Test
    void authenticatesAgainstOcserv() throws Exception {
        for (String type : new String[] {"ec-p256", "rsa-2048"}) {
            Path[] kc = keyAndCert(type);
            var run = Cli.tpmauthOn(SWTPM.tcti(), "openconnect", "--key", kc[0].toString(), "--cert", kc[1].toString(),
                    ocserv.url(), "--", "--authenticate", "--non-inter", "--protocol=anyconnect", "--cafile", ca.toString());
            assertEquals(0, run.code(), run + "\n--- ocserv:\n" + ocserv.log());
            assertTrue(run.out().contains("COOKIE="), run.toString());
        }
    }

    /**
     * --key keystore:PATH: a FAPI keystore key below the persistent SRK authenticates as a key file would; a
     * key deeper in the keystore is refused before openconnect starts, saying why.
     */
    @Test
    void authenticatesWithAKeystoreKey() throws Exception {
        Path config = dir.resolve("fapi-config.json");
        Files.writeString(config, """
                {"profile_name": "P_ECCP256SHA256", "profile_dir": "/etc/tpm2-tss/fapi-profiles/",
                 "user_dir": "%s", "system_dir": "%s", "tcti": "%s", "system_pcrs": [], "log_dir": "%s",
                 "ek_cert_less": "yes"}
                """.formatted(dir.resolve("user"), dir.resolve("system"), SWTPM.tcti(), dir.resolve("log")));
        String fapi = config.toString();
        Cli.tpmauthOn(SWTPM.tcti(), "keystore", "provision", "--fapi-config", fapi).ok();
        Cli.tpmauthOn(SWTPM.tcti(), "keystore", "create", "/HS/SRK/vpn", "--fapi-config", fapi).ok();
        String pem = Cli.tpmauthOn(SWTPM.tcti(), "keystore", "export", "/HS/SRK/vpn", "--fapi-config", fapi).ok().out();
        Path cert = TestPki.writePem(dir.resolve("vpn.crt.pem"), pki.issue(publicKey(pem, "EC"), "laptop-keystore"));
        var run = Cli.tpmauthOn(SWTPM.tcti(), "openconnect", "--key", "keystore:/HS/SRK/vpn", "--fapi-config", fapi,
                "--cert", cert.toString(), ocserv.url(), "--", "--authenticate", "--non-inter", "--protocol=anyconnect",
                "--cafile", ca.toString());
        assertEquals(0, run.code(), run + "\n--- ocserv:\n" + ocserv.log());
        assertTrue(run.out().contains("COOKIE="), run.toString());

        Cli.tpmauthOn(SWTPM.tcti(), "keystore", "create", "/HS/SRK/store", "--type", "restricted,decrypt,noDa",
                "--fapi-config", fapi).ok();
        Cli.tpmauthOn(SWTPM.tcti(), "keystore", "create", "/HS/SRK/store/deep", "--fapi-config", fapi).ok();
        String e = Cli.tpmauthOn(SWTPM.tcti(), "openconnect", "--key", "keystore:/HS/SRK/store/deep", "--fapi-config",
                fapi, "--cert", cert.toString(), ocserv.url()).fails();
        assertTrue(e.contains("is not a key directly below a persistent parent without auth value, which a key file "
                + "needs"), e);
    }

    @Test
    void certificateOfAnotherKeyIsRefusedFirst() throws Exception {
        Path[] ec = keyAndCert("ec-p384");
        Path[] other = keyAndCert("ec-p256");
        String e = Cli.tpmauthOn(SWTPM.tcti(), "openconnect", "--key", ec[0].toString(), "--cert", other[1].toString(),
                ocserv.url()).fails();
        assertTrue(e.contains("does not match its certificate"), e);
        e = Cli.tpmauthOn("libtpms:" + dir, "openconnect", "--key", ec[0].toString(), "--cert", ec[1].toString(),
                ocserv.url()).fails();
        assertTrue(e.contains("cannot reach tpmauth's in-process TPM"), e);
    }
}
