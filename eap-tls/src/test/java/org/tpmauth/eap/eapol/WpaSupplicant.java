package org.tpmauth.eap.eapol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.tpmauth.eap.EapTestKeys;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.TestPki;
import org.tpmauth.tls.testing.NetNamespace;

/** wpa_supplicant -D wired as an 802.1X peer with EAP-TLS (TLS 1.3 allowed) and a software key from the test CA. */
public final class WpaSupplicant {
    /** The log line of a successful authentication. */
    public static final String SUCCESS = "CTRL-EVENT-EAP-SUCCESS";

    private WpaSupplicant() {
    }

    /** Starts it on {@code iface} in {@code netns} as {@code identity}, with files and log in {@code dir}. */
    public static LoggedProcess start(Path dir, String netns, String iface, String identity) throws Exception {
        EapTestKeys k = EapTestKeys.get();
        KeyPair key = TestPki.ecKey();
        Path cert = TestPki.writePem(dir.resolve(identity + ".crt.pem"), TestPki.chain(k.pki.root(), key.getPublic(),
                identity));
        Path keyPem = TestPki.writePem(dir.resolve(identity + ".key.pem"), key.getPrivate());
        Path conf = Files.writeString(dir.resolve(identity + ".wpa.conf"), """
                ap_scan=0
                network={
                	key_mgmt=IEEE8021X
                	eap=TLS
                	identity="%s"
                	ca_cert="%s"
                	client_cert="%s"
                	private_key="%s"
                	eapol_flags=0
                	phase1="tls_disable_tlsv1_3=0"
                }
                """.formatted(identity, k.caPem, cert, keyPem));
        return new LoggedProcess(NetNamespace.inNamespace(netns, "wpa_supplicant", "-D", "wired", "-i", iface, "-c",
                conf.toString(), "-dd"), dir.resolve(identity + ".wpa.log"));
    }
}
