package org.tpmauth.vpn.strongswan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmEccCurve;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicParms;

/** The swanctl directory and charon settings {@link SwanctlClientConfig} writes, for both key routes. */
class SwanctlClientConfigTest {
    private static TestPki pki;
    private static X509Certificate client;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        pki = new TestPki("strongswan test CA");
        KeyPair key = TestPki.ecKey();
        client = pki.issue(key.getPublic(), "laptop-7");
    }

    private static SwanctlClientConfig config(KeyRoute route, List<ChildSa> children) {
        return new SwanctlClientConfig(client, List.of(pki.ca), "vpn.example.com", "vpn.example.com",
                SwanctlClientConfig.subjectId(client), children, route);
    }

    private static KeyRoute.Pkcs11 pkcs11Route() {
        return new KeyRoute.Pkcs11(KeyRoute.Pkcs11.MODULE, KeyRoute.Pkcs11.P11_KIT_CLIENT,
                "unix:path=/run/tpmauth/pkcs11.sock", SwanctlClientConfig.pkcs11Id(client));
    }

    @Test
    void pkcs11RouteNamesTheTokenKeyByItsCkaId() throws Exception {
        config(pkcs11Route(), ChildSa.parseList("office=10.1.0.0/16,lab=192.168.7.0/24,office=10.2.0.0/16")).writeTo(dir);
        String conf = Files.readString(dir.resolve("swanctl.conf"));
        String id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(client.getPublicKey().getEncoded()));
        assertTrue(conf.contains("""
                connections {
                  tpmauth {
                    version = 2
                    remote_addrs = vpn.example.com
                    vips = 0.0.0.0,::
                    local {
                      auth = pubkey
                      certs = tpmauth-client.pem
                      id = "CN=laptop-7"
                    }
                    remote {
                      auth = pubkey
                      id = "vpn.example.com"
                    }
                    children {
                      office {
                        remote_ts = 10.1.0.0/16,10.2.0.0/16
                        start_action = none
                      }
                      lab {
                        remote_ts = 192.168.7.0/24
                        start_action = none
                      }
                    }
                  }
                }
                secrets {
                  token-tpmauth {
                    module = tpmauth
                    handle = %s
                """.formatted(id)), conf);
        assertTrue(conf.contains("    pin = \"\"\n  }\n}\n"), conf);

        String charon = Files.readString(dir.resolve(SwanctlClientConfig.CHARON_SETTINGS));
        assertTrue(charon.contains("#   P11_KIT_SERVER_ADDRESS=unix:path=/run/tpmauth/pkcs11.sock\n"), charon);
        assertTrue(charon.contains("""
                    pkcs11 {
                      load = yes
                      modules {
                        tpmauth {
                          path = /usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so
                """), charon);
        assertEquals(client, readCertificate(dir.resolve("x509/tpmauth-client.pem")));
        assertEquals(pki.ca, readCertificate(dir.resolve("x509ca/tpmauth-ca.pem")));
    }

    @Test
    void tpmPluginRouteReferencesThePersistentHandle() throws Exception {
        config(new KeyRoute.TpmPlugin(0x81010004, "tabrmd", "bus_type=system"), List.of()).writeTo(dir);
        String conf = Files.readString(dir.resolve("swanctl.conf"));
        assertTrue(conf.contains("secrets {\n  token-tpmauth {\n    handle = 81010004\n  }\n}\n"), conf);
        assertTrue(conf.contains("tpmauth {\n        remote_ts = 0.0.0.0/0,::/0\n"), "default child: everything");
        String charon = Files.readString(dir.resolve(SwanctlClientConfig.CHARON_SETTINGS));
        assertTrue(charon.contains("""
                    tpm {
                      load = yes
                      fips_186_4 = yes
                      tcti {
                        name = tabrmd
                        opts = bus_type=system
                """), charon);
    }

    @Test
    void theTpmPluginTakesOnlyItsTctisAndPersistentHandles() {
        String swtpm = assertThrows(IllegalArgumentException.class,
                () -> new KeyRoute.TpmPlugin(0x81010004, "swtpm", "port=2321")).getMessage();
        assertTrue(swtpm.contains("device, tabrmd or mssim") && swtpm.contains("--via pkcs11"), swtpm);
        assertThrows(IllegalArgumentException.class, () -> new KeyRoute.TpmPlugin(0x80000001, "device", "/dev/tpmrm0"));
    }

    @Test
    void theTpmPluginNeedsAFixedSchemeAndNoDa() {
        // tpmauth's own keys leave the scheme to each signature: the plugin cannot use them
        String nullScheme = assertThrows(IllegalArgumentException.class, () -> KeyRoute.TpmPlugin.checkUsable(
                KeyTemplates.signingKey(KeyAlgorithm.EC_P256, false), false)).getMessage();
        assertTrue(nullScheme.contains("fixed signing scheme") && nullScheme.contains("--via pkcs11"), nullScheme);
        TpmtPublic withScheme = ecdsaKey(TpmaObject.NO_DA);
        KeyRoute.TpmPlugin.checkUsable(withScheme, false);
        String noDa = assertThrows(IllegalArgumentException.class,
                () -> KeyRoute.TpmPlugin.checkUsable(ecdsaKey(0), false)).getMessage();
        assertTrue(noDa.contains("noDA"), noDa);
        assertThrows(IllegalArgumentException.class, () -> KeyRoute.TpmPlugin.checkUsable(withScheme, true));
    }

    @Test
    void childrenAndIdentitiesAreChecked() {
        assertEquals(List.of(new ChildSa("a", List.of("10.0.0.0/8", "fd00::/64"))),
                ChildSa.parseList("a=10.0.0.0/8, a=fd00::/64"));
        assertThrows(IllegalArgumentException.class, () -> ChildSa.parseList("office"));
        assertThrows(IllegalArgumentException.class, () -> ChildSa.parseList("office=10.1.0.0/16 }"));
        assertThrows(IllegalArgumentException.class, () -> ChildSa.parseList("off ice=10.1.0.0/16"));
        assertThrows(IllegalArgumentException.class, () -> new SwanctlClientConfig(client, List.of(pki.ca),
                "vpn.example.com", "vpn\"}", "CN=x", List.of(), pkcs11Route()));
    }

    @Test
    void subjectIdKeepsTheEncodedOrder() throws Exception {
        X509Certificate multi = pki.issue(TestPki.ecKey().getPublic(), "laptop-7,O=Example,C=CH");
        // X500Principal("CN=laptop-7,O=Example,C=CH") encodes C first; strongSwan compares in encoded order
        assertEquals("C=CH,O=Example,CN=laptop-7", SwanctlClientConfig.subjectId(multi));
    }

    private static TpmtPublic ecdsaKey(int extraAttributes) {
        int attributes = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT | TpmaObject.SENSITIVE_DATA_ORIGIN
                | TpmaObject.USER_WITH_AUTH | TpmaObject.SIGN_ENCRYPT | extraAttributes;
        return new TpmtPublic(TpmAlg.SHA256, attributes, new TpmuPublicParms.Ecc(
                new TpmtAsymScheme(TpmAlg.ECDSA, TpmAlg.SHA256, 0), TpmEccCurve.NIST_P256));
    }

    private static X509Certificate readCertificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
