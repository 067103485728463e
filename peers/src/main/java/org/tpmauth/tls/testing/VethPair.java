package org.tpmauth.tls.testing;

import java.io.IOException;

/**
 * Two network namespaces made for a test, joined by a veth pair: interface {@link #A_IF} in namespace
 * {@link #a}, {@link #B_IF} in {@link #b}, both up. Closing deletes both namespaces (and with them the pair).
 */
public final class VethPair implements AutoCloseable {
    public static final String A_IF = "eapa";
    public static final String B_IF = "eapb";
    public final String a;
    public final String b;
    private final NetNamespace nsA;
    private final NetNamespace nsB;

    private VethPair(NetNamespace nsA, NetNamespace nsB) {
        this.nsA = nsA;
        this.nsB = nsB;
        this.a = nsA.name;
        this.b = nsB.name;
    }

    public static VethPair create() throws IOException {
        NetNamespace nsA = NetNamespace.create("tpmauth-a-");
        VethPair pair;
        try {
            pair = new VethPair(nsA, NetNamespace.create("tpmauth-b-"));
        } catch (IOException e) {
            nsA.close();
            throw e;
        }
        try {
            connect(pair.a, A_IF, pair.b, B_IF);
        } catch (IOException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    /** Joins namespaces {@code nsA} and {@code nsB} by a veth pair, {@code ifA} in the first, {@code ifB} in the second. */
    public static void connect(String nsA, String ifA, String nsB, String ifB) throws IOException {
        NetNamespace.run("ip", "link", "add", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB);
        NetNamespace.run("ip", "-n", nsA, "link", "set", ifA, "up");
        NetNamespace.run("ip", "-n", nsB, "link", "set", ifB, "up");
    }

    @Override
    public void close() {
        nsA.close();
        nsB.close();
    }
}
