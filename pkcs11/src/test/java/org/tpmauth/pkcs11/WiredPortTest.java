package org.tpmauth.pkcs11;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.testing.Hostapd;
import org.tpmauth.tls.testing.NetNamespace;
import org.tpmauth.tls.testing.VethPair;
import org.tpmauth.tss.keys.TpmKeys;

/**
 * 802.1X on a wire: wpa_supplicant -D wired with the key in the token, against hostapd (driver=wired,
 * its own EAP-TLS server) across a veth pair between two network namespaces this test creates; the
 * port is authorized.
 */
class WiredPortTest {
    @TempDir
    Path work;

    @Test
    void portIsAuthorizedWithTheTokenKey() throws Exception {
        TestKeystore store = TestKeystore.get();
        store.issueSoftware(work, "auth");
        Files.writeString(work.resolve("wpa.conf"), Radius.TOKEN_GLOBALS + "ap_scan=0\nnetwork={\n"
                + "    key_mgmt=IEEE8021X\n    eap=TLS\n    identity=\"device-ec\"\n    ca_cert=\"" + store.caPem + "\"\n"
                + Radius.tokenCredentials("ec").indent(4) + "    eapol_flags=0\n    phase1=\"tls_disable_tlsv1_3=0\"\n}\n");
        try (TpmKeys keys = new TpmKeys(TestKeystore.tpm());
             Pkcs11Server server = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null),
                     work.resolve("p11.sock"), new PrintStream(new ByteArrayOutputStream(), true,
                             StandardCharsets.UTF_8));
             VethPair veth = VethPair.create();
             Hostapd hostapd = Hostapd.start(veth.a, VethPair.A_IF, store.caPem, work.resolve("auth.pem"),
                     work.resolve("auth.key"));
             LoggedProcess supplicant = new LoggedProcess(NetNamespace.inNamespace(veth.b, "env",
                     "P11_KIT_SERVER_ADDRESS=unix:path=" + server.socket(), "wpa_supplicant", "-D", "wired", "-i",
                     VethPair.B_IF, "-c", work.resolve("wpa.conf").toString(), "-d"), work.resolve("wpa.log"))) {
            try {
                supplicant.awaitLog("EAPOL: Supplicant port status: Authorized", Duration.ofSeconds(20));
                hostapd.awaitAuthorized();
            } catch (IllegalStateException e) {
                throw new AssertionError(e.getMessage() + "\nhostapd:\n" + LoggedProcess.tail(hostapd.log()), e);
            }
        }
    }
}
