package org.tpmauth.tls.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tpmauth.tls.LoggedProcess;

/**
 * EAP-TLS configurations for wpa_supplicant and eapol_test (one network block), and wpa_supplicant
 * {@code -D wired} as an 802.1X peer inside a network namespace.
 */
public final class WpaSupplicant {
    /** The log line of a successful authentication. */
    public static final String SUCCESS = "CTRL-EVENT-EAP-SUCCESS";

    private WpaSupplicant() {
    }

    /**
     * {@code globals}, then a network block for EAP-TLS as {@code identity}, trusting {@code caPem}, with the
     * client certificate and key given by {@code credentials} lines; TLS 1.3 allowed when {@code tls} is
     * "1.3", else TLS 1.2 at most.
     */
    public static String config(String globals, String identity, Path caPem, String credentials, String tls) {
        return globals + """
                network={
                    key_mgmt=IEEE8021X
                    eap=TLS
                    identity="%s"
                    ca_cert="%s"
                %s    eapol_flags=0
                    phase1="tls_disable_tlsv1_3=%d"
                }
                """.formatted(identity, caPem, credentials.indent(4), tls.equals("1.3") ? 0 : 1);
    }

    /** The network block lines of a client certificate and key in PEM files. */
    public static String fileCredentials(Path cert, Path key) {
        return "client_cert=\"" + cert + "\"\nprivate_key=\"" + key + "\"\n";
    }

    /**
     * The network block lines that take the client certificate and key {@code alias} from PKCS#11 token
     * {@code token} (tpmauth's, through p11-kit).
     */
    public static String pkcs11Credentials(String token, String alias) {
        return "client_cert=\"pkcs11:token=" + token + ";object=" + alias + ";type=cert\"\n"
                + "private_key=\"pkcs11:token=" + token + ";object=" + alias + ";type=private\"\n";
    }

    /**
     * The global lines of a config whose key is in a PKCS#11 token: libp11's engine loaded by path (only then
     * does wpa_supplicant pass pkcs11_module_path on) and the module, e.g. p11-kit's client module.
     */
    public static String pkcs11Globals(String modulePath) {
        return "pkcs11_engine_path=/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so\n"
                + "pkcs11_module_path=" + modulePath + "\n";
    }

    /**
     * Starts wpa_supplicant with {@code conf} (its globals should say {@code ap_scan=0}) on {@code iface}
     * in {@code netns}, with {@code env} added to its environment and its debug log in {@code log}.
     */
    public static LoggedProcess startWired(String netns, String iface, Path conf, Path log, Map<String, String> env)
            throws IOException {
        List<String> command = new ArrayList<>(List.of("env"));
        env.forEach((name, value) -> command.add(name + "=" + value));
        command.addAll(List.of("wpa_supplicant", "-D", "wired", "-i", iface, "-c", conf.toString(), "-dd"));
        return new LoggedProcess(NetNamespace.inNamespace(netns, command.toArray(String[]::new)), log);
    }
}
