package org.tpmauth.pkcs11;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.testing.Hostapd;
import org.tpmauth.tls.testing.VethPair;
import org.tpmauth.tls.testing.WpaSupplicant;
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
        Path conf = Files.writeString(work.resolve("wpa.conf"), WpaSupplicant.config(
                "ap_scan=0\n" + Radius.TOKEN_GLOBALS, "device-ec", store.caPem, Radius.tokenCredentials("ec"), "1.3"));
        try (TpmKeys keys = new TpmKeys(TestKeystore.tpm());
             Pkcs11Server server = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null),
                     work.resolve("p11.sock"), new PrintStream(new ByteArrayOutputStream(), true,
                             StandardCharsets.UTF_8));
             VethPair veth = VethPair.create();
             Hostapd hostapd = Hostapd.start(veth.a, VethPair.A_IF, store.caPem, work.resolve("auth.pem"),
                     work.resolve("auth.key"));
             LoggedProcess supplicant = WpaSupplicant.startWired(veth.b, VethPair.B_IF, conf, work.resolve("wpa.log"),
                     Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + server.socket()))) {
            try {
                supplicant.awaitLog("EAPOL: Supplicant port status: Authorized", Duration.ofSeconds(20));
                hostapd.awaitAuthorized();
            } catch (IllegalStateException e) {
                throw new AssertionError(e.getMessage() + "\nhostapd:\n" + LoggedProcess.tail(hostapd.log()), e);
            }
        }
    }
}
