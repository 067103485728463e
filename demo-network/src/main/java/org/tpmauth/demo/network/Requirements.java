package org.tpmauth.demo.network;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the network demo needs on the machine: root, and the peer programs (with the Debian package of each). */
public final class Requirements {
    /** The one command that installs every missing package. */
    public static final String INSTALL = "sudo scripts/install-deps.sh";

    /** A program (or library) the demo runs, and the package that brings it. */
    private static final Map<String, String> FILES = new LinkedHashMap<>();

    static {
        FILES.put("/usr/sbin/freeradius", "freeradius");
        FILES.put("/usr/sbin/hostapd", "hostapd");
        FILES.put("/usr/sbin/wpa_supplicant", "wpasupplicant");
        FILES.put("/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so", "libengine-pkcs11-openssl");
        FILES.put("/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so", "p11-kit-modules");
        FILES.put("/usr/sbin/openvpn", "openvpn");
        FILES.put("/usr/sbin/charon-systemd", "charon-systemd");
        FILES.put("/usr/sbin/swanctl", "strongswan-swanctl");
        FILES.put("/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so", "libcharon-extra-plugins");
        FILES.put("/usr/lib/ipsec/plugins/libstrongswan-pkcs11.so", "libstrongswan-extra-plugins");
        FILES.put("/usr/bin/wireguard-go", "wireguard-go");
        FILES.put("/usr/bin/wg", "wireguard-tools");
        FILES.put("/usr/sbin/mosquitto", "mosquitto");
        FILES.put("/usr/bin/ping", "iputils-ping");
        FILES.put("/usr/sbin/ip", "iproute2");
        FILES.put("/dev/net/tun", "(the kernel's tun module: modprobe tun)");
    }

    private Requirements() {
    }

    /** What is missing, one line each ("hostapd (package hostapd)"); empty when the demo can run. */
    public static List<String> missing() {
        List<String> missing = new ArrayList<>();
        FILES.forEach((file, pkg) -> {
            if (!Files.exists(Path.of(file))) {
                missing.add(file + " (" + (pkg.startsWith("(") ? pkg.substring(1, pkg.length() - 1) : "package " + pkg)
                        + ")");
            }
        });
        return missing;
    }

    /** Whether this process may create network namespaces. */
    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
