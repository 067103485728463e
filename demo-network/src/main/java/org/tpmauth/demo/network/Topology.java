package org.tpmauth.demo.network;

import java.io.IOException;
import org.tpmauth.tls.testing.NetNamespace;
import org.tpmauth.tls.testing.VethPair;

/**
 * The demo's network: three namespaces, a device, a switch and a server. The device's {@code eth0} is
 * plugged into the switch's 802.1X port {@code port1}; the switch's {@code uplink} leads to the server's
 * {@code eth0}. The switch routes between its two subnets, so the device reaches the server through it.
 */
record Topology(String device, String sw, String server) {
    static final String DEVICE_IF = "eth0";
    static final String PORT_IF = "port1";
    static final String UPLINK_IF = "uplink";
    static final String SERVER_IF = "eth0";
    static final String DEVICE_ADDR = "10.99.1.2";
    static final String PORT_ADDR = "10.99.1.1";
    static final String UPLINK_ADDR = "10.99.2.1";
    static final String SERVER_ADDR = "10.99.2.2";

    /** Creates the namespaces and links; each namespace is registered for removal first. */
    static Topology create(CleanupRegistry cleanup) throws IOException {
        String device = namespace(cleanup, "tpmauth-dev-");
        String sw = namespace(cleanup, "tpmauth-sw-");
        String server = namespace(cleanup, "tpmauth-srv-");
        veth(device, DEVICE_IF, DEVICE_ADDR, sw, PORT_IF, PORT_ADDR);
        veth(sw, UPLINK_IF, UPLINK_ADDR, server, SERVER_IF, SERVER_ADDR);
        NetNamespace.run("ip", "-n", device, "route", "add", "default", "via", PORT_ADDR);
        NetNamespace.run("ip", "-n", server, "route", "add", "default", "via", UPLINK_ADDR);
        NetNamespace.run("ip", "netns", "exec", sw, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        return new Topology(device, sw, server);
    }

    private static String namespace(CleanupRegistry cleanup, String prefix) throws IOException {
        return cleanup.register("network namespace " + prefix + "*", NetNamespace.create(prefix)).name;
    }

    private static void veth(String nsA, String ifA, String addrA, String nsB, String ifB, String addrB)
            throws IOException {
        VethPair.connect(nsA, ifA, nsB, ifB);
        NetNamespace.run("ip", "-n", nsA, "addr", "add", addrA + "/24", "dev", ifA);
        NetNamespace.run("ip", "-n", nsB, "addr", "add", addrB + "/24", "dev", ifB);
    }

    /** Whether {@code address} answers one ping from namespace {@code ns} within {@code seconds}. */
    static boolean ping(String ns, String address, int seconds) {
        try {
            NetNamespace.run("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", String.valueOf(seconds), address);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
