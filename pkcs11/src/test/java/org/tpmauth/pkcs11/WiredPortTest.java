package org.tpmauth.pkcs11;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
        String tag = Long.toString(ProcessHandle.current().pid());
        String authenticatorNs = "tpa-" + tag;
        String supplicantNs = "tps-" + tag;
        try (TpmKeys keys = new TpmKeys(TestKeystore.tpm());
             Pkcs11Server server = Pkcs11Server.start(Token.open(keys, store.dir, "tpmauth", null),
                     work.resolve("p11.sock"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            ip("netns", "add", authenticatorNs);
            ip("netns", "add", supplicantNs);
            ip("link", "add", "va" + tag, "type", "veth", "peer", "name", "vs" + tag);
            ip("link", "set", "va" + tag, "netns", authenticatorNs);
            ip("link", "set", "vs" + tag, "netns", supplicantNs);
            ip("-n", authenticatorNs, "link", "set", "va" + tag, "up");
            ip("-n", supplicantNs, "link", "set", "vs" + tag, "up");

            store.issueSoftware(work, "auth");
            Files.writeString(work.resolve("eap_users"), "* TLS\n");
            Files.writeString(work.resolve("hostapd.conf"), String.join("\n", "interface=va" + tag, "driver=wired",
                    "ieee8021x=1", "eap_server=1", "eap_user_file=" + work.resolve("eap_users"), "ca_cert=" + store.caPem,
                    "server_cert=" + work.resolve("auth.pem"), "private_key=" + work.resolve("auth.key"),
                    "use_pae_group_addr=1", "tls_flags=[ENABLE-TLSv1.3]", ""));
            Files.writeString(work.resolve("wpa.conf"), Radius.TOKEN_GLOBALS + "ap_scan=0\nnetwork={\n"
                    + "    key_mgmt=IEEE8021X\n    eap=TLS\n    identity=\"device-ec\"\n    ca_cert=\"" + store.caPem + "\"\n"
                    + Radius.tokenCredentials("ec").indent(4) + "    eapol_flags=0\n    phase1=\"tls_disable_tlsv1_3=0\"\n}\n");
            Process hostapd = Programs.start(work, Map.of(), "hostapd.log", "ip", "netns", "exec", authenticatorNs, "hostapd", "-d",
                    work.resolve("hostapd.conf").toString());
            Process supplicant = Programs.start(work, Map.of("P11_KIT_SERVER_ADDRESS", "unix:path=" + server.socket()), "wpa.log", "ip",
                    "netns", "exec", supplicantNs, "wpa_supplicant", "-D", "wired", "-i", "vs" + tag, "-c",
                    work.resolve("wpa.conf").toString(), "-d");
            try {
                boolean authorized = false;
                for (int i = 0; i < 400 && !authorized; i++) {
                    authorized = Files.readString(work.resolve("wpa.log")).contains("EAPOL: Supplicant port status: Authorized")
                            && Files.readString(work.resolve("hostapd.log")).contains("authorizing port");
                    Thread.sleep(50);
                }
                assertTrue(authorized, () -> "wpa_supplicant:\n" + tail(work.resolve("wpa.log")) + "\nhostapd:\n"
                        + tail(work.resolve("hostapd.log")));
            } finally {
                supplicant.destroy();
                hostapd.destroy();
                supplicant.waitFor(5, TimeUnit.SECONDS);
                hostapd.waitFor(5, TimeUnit.SECONDS);
            }
        } finally {
            Programs.run(work, Map.of(), "ip", "netns", "del", authenticatorNs);
            Programs.run(work, Map.of(), "ip", "netns", "del", supplicantNs);
        }
    }

    private void ip(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "ip";
        System.arraycopy(args, 0, command, 1, args.length);
        Programs.run(work, Map.of(), command).ok();
    }


    private static String tail(Path file) {
        try {
            String text = Files.readString(file);
            return text.length() < 6000 ? text : text.substring(text.length() - 6000);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
