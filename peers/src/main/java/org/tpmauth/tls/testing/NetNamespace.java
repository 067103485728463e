package org.tpmauth.tls.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A network namespace made for a test, its loopback up; closing deletes it (and the interfaces in it). */
public final class NetNamespace implements AutoCloseable {
    public final String name;

    private NetNamespace(String name) {
        this.name = name;
    }

    /** A new namespace named {@code prefix} followed by this JVM's pid and a random part. */
    public static NetNamespace create(String prefix) throws IOException {
        NetNamespace ns = new NetNamespace(prefix + Long.toHexString(ProcessHandle.current().pid()) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000)));
        run("ip", "netns", "add", ns.name);
        try {
            run("ip", "-n", ns.name, "link", "set", "lo", "up");
        } catch (IOException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** {@code ip netns exec NS command...} as a command line. */
    public static List<String> inNamespace(String namespace, String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(List.of(command));
        return all;
    }

    /** {@code command} run inside this namespace, as a command line. */
    public List<String> exec(String... command) {
        return inNamespace(name, command);
    }

    /**
     * Runs {@code command} (an {@code ip} call, say); returns its output (stdout and stderr); fails unless it
     * exits 0.
     */
    public static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code;
        try {
            code = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + " interrupted", e);
        }
        if (code != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit " + code + ": " + out);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            run("ip", "netns", "del", name);
        } catch (IOException e) {
            // already gone
        }
    }
}
