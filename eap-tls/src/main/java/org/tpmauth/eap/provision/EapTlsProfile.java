package org.tpmauth.eap.provision;

import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * One EAP-TLS network profile whose key and certificate live in tpmauth's PKCS#11 token, and its two
 * renderings: a NetworkManager keyfile (what {@code nmcli --offline connection add} prints) and a
 * wpa_supplicant network block with the global PKCS#11 lines.
 *
 * @param connection the NM connection id (and the keystore alias, the token's object label)
 * @param medium     a wired interface or a Wi-Fi SSID
 * @param identity   the EAP identity
 * @param ca         the CA certificate that signs the authentication server's certificate
 * @param token      the token label
 * @param pin        the token PIN, if the token needs one
 */
public record EapTlsProfile(String connection, Medium medium, String identity, Path ca, String token,
        Optional<String> pin) {
    /** The p11-kit proxy: loads the modules registered with 'tpmauth pkcs11 install'. */
    public static final String PROXY_MODULE = "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so";
    /** libp11's OpenSSL engine; wpa_supplicant passes pkcs11_module_path to it only when loading it by path. */
    public static final String ENGINE = "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so";
    /** p11-kit's client module: reaches the token at P11_KIT_SERVER_ADDRESS. */
    public static final String CLIENT_MODULE = "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so";

    /** Where the 802.1X port is. */
    public sealed interface Medium {
    }

    /** A wired Ethernet interface. */
    public record Wired(String iface) implements Medium {
    }

    /** A Wi-Fi network (WPA-Enterprise). */
    public record Wifi(String ssid) implements Medium {
    }

    public EapTlsProfile {
        if (connection.isBlank() || connection.contains("\n") || identity.contains("\n")) {
            throw new IllegalArgumentException("connection name and identity must be one non-empty line each");
        }
        ca = ca.toAbsolutePath();
    }

    public Pkcs11Uri privateKey() {
        return Pkcs11Uri.privateKey(token, connection);
    }

    public Pkcs11Uri certificate() {
        return Pkcs11Uri.certificate(token, connection);
    }

    /** The NetworkManager keyfile (/etc/NetworkManager/system-connections/NAME.nmconnection). */
    public String keyfile(UUID uuid) {
        StringBuilder k = new StringBuilder();
        k.append("[connection]\nid=").append(connection).append("\nuuid=").append(uuid).append('\n');
        if (medium instanceof Wired w) {
            k.append("type=ethernet\ninterface-name=").append(w.iface()).append("\n\n[ethernet]\n\n");
        } else if (medium instanceof Wifi w) {
            k.append("type=wifi\n\n[wifi]\nmode=infrastructure\nssid=").append(w.ssid())
                    .append("\n\n[wifi-security]\nkey-mgmt=wpa-eap\n\n");
        }
        // the certificate object is public: NM must not ask for a PIN to read it
        k.append("[802-1x]\n")
                .append("ca-cert=").append(ca).append('\n')
                .append("client-cert=").append(certificate()).append('\n')
                .append("client-cert-password-flags=4\n")
                .append("eap=tls;\n")
                .append("identity=").append(identity).append('\n')
                .append("private-key=").append(privateKey()).append('\n');
        // the PIN is the private key's "password"; without one, NM must not ask for it
        pin.ifPresentOrElse(p -> k.append("private-key-password=").append(p).append('\n'),
                () -> k.append("private-key-password-flags=4\n"));
        k.append("\n[ipv4]\nmethod=auto\n\n[ipv6]\naddr-gen-mode=default\nmethod=auto\n\n[proxy]\n");
        return k.toString();
    }

    /**
     * The wpa_supplicant configuration: the global lines (PKCS#11 through p11-kit's proxy, which finds
     * the token that 'tpmauth pkcs11 install' registered) and the network block.
     */
    public String wpaSupplicant() {
        StringBuilder w = new StringBuilder();
        w.append("# global settings: PKCS#11 through p11-kit (register the token first: tpmauth pkcs11 install)\n")
                .append("# or use ").append(CLIENT_MODULE)
                .append(" with P11_KIT_SERVER_ADDRESS=unix:path=SOCKET in wpa_supplicant's environment\n")
                .append("pkcs11_engine_path=").append(ENGINE).append('\n')
                .append("pkcs11_module_path=").append(PROXY_MODULE).append('\n');
        if (medium instanceof Wired w2) {
            w.append("# wired 802.1X: run wpa_supplicant -D wired -i ").append(w2.iface()).append(" -c FILE\n")
                    .append("ap_scan=0\n");
        }
        w.append("\nnetwork={\n");
        if (medium instanceof Wired) {
            w.append("    key_mgmt=IEEE8021X\n    eapol_flags=0\n");
        } else if (medium instanceof Wifi wifi) {
            w.append("    ssid=\"").append(wifi.ssid()).append("\"\n    key_mgmt=WPA-EAP\n");
        }
        w.append("    eap=TLS\n")
                .append("    identity=\"").append(identity).append("\"\n")
                .append("    ca_cert=\"").append(ca).append("\"\n")
                .append("    client_cert=\"").append(certificate()).append("\"\n")
                .append("    private_key=\"").append(privateKey()).append("\"\n");
        pin.ifPresent(p -> w.append("    pin=\"").append(p).append("\"\n"));
        w.append("    phase1=\"tls_disable_tlsv1_3=0\"\n}\n");
        return w.toString();
    }
}
