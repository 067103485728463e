package org.tpmauth.tls.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.tpmauth.tss.testing.Tools;

/**
 * Two network namespaces made for a test, joined by a veth pair: interface {@link #A_IF} in namespace
 * {@link #a}, {@link #B_IF} in {@link #b}, both up. Closing deletes both namespaces (and with them the pair).
 */
public final class VethPair implements AutoCloseable {
    public static final String A_IF = "eapa";
    public static final String B_IF = "eapb";
    public final String a;
    public final String b;

    private VethPair(String a, String b) {
        this.a = a;
        this.b = b;
    }

    public static VethPair create() throws IOException {
        String suffix = Long.toHexString(ProcessHandle.current().pid()) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
        VethPair pair = new VethPair("tpmauth-a-" + suffix, "tpmauth-b-" + suffix);
        try {
            run("ip", "netns", "add", pair.a);
            run("ip", "netns", "add", pair.b);
            run("ip", "link", "add", A_IF, "netns", pair.a, "type", "veth", "peer", "name", B_IF, "netns", pair.b);
            for (String[] end : new String[][] {{pair.a, A_IF}, {pair.b, B_IF}}) {
                run("ip", "-n", end[0], "link", "set", "lo", "up");
                run("ip", "-n", end[0], "link", "set", end[1], "up");
            }
        } catch (IOException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    /** {@code ip netns exec NS command...} as a command line. */
    public static List<String> inNamespace(String namespace, String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(List.of(command));
        return all;
    }

    static void run(String... command) throws IOException {
        Tools.Output r = Tools.capture(Path.of(System.getProperty("java.io.tmpdir")), Map.of(), command);
        if (r.code() != 0) {
            throw new IOException(r.command() + " failed: " + r.err() + r.out());
        }
    }

    @Override
    public void close() {
        for (String ns : List.of(a, b)) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException e) {
                // not created
            }
        }
    }
}
