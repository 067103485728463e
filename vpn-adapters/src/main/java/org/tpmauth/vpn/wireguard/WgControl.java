package org.tpmauth.vpn.wireguard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Drives an existing WireGuard interface with the standard tools: {@code wg} for the key, {@code ip}
 * for the link, optionally inside a network namespace ({@code ip netns exec NS}). The private key goes
 * to {@code wg set IFACE private-key /dev/stdin} through a pipe: never a file, never an argument.
 */
public final class WgControl {
    private static final long TIMEOUT_SECONDS = 10;
    /** Output kept from a tool for its error message. */
    private static final int MAX_OUTPUT = 4096;

    /** Before wg: {@code ip netns exec NS}. */
    private final List<String> wgPrefix;
    /** ip itself: {@code ip -n NS}, which spares the mount namespace set-up of {@code ip netns exec}. */
    private final List<String> ip;

    /** @param netns the network namespace the interface lives in, or empty for this one */
    public WgControl(Optional<String> netns) {
        this.wgPrefix = netns.map(ns -> List.of("ip", "netns", "exec", ns)).orElse(List.of());
        this.ip = netns.map(ns -> List.of("ip", "-n", ns)).orElse(List.of("ip"));
    }

    /**
     * Gives the interface its private key, from memory through a pipe; fails with advice when there is no
     * WireGuard interface of that name.
     */
    public void setPrivateKey(String iface, WireGuardKey key) {
        byte[] line = key.base64Line();
        try {
            Result r = wg(line, "set", iface, "private-key", "/dev/stdin");
            // no such interface: "No such device"; without a kernel module nor a wireguard-go socket of that name,
            // "Protocol not supported"
            if (r.status != 0 && (r.output.contains("No such device") || r.output.contains("Protocol not supported"))) {
                throw new WireGuardException("no WireGuard interface '" + iface + "' (" + r.output.strip() + "); create "
                        + "it first: `ip link add " + iface + " type wireguard`, `wireguard-go " + iface + "`, or wg-quick");
            }
            if (r.status != 0) {
                throw new WireGuardException("`wg set " + iface + " private-key /dev/stdin` failed: " + r.output.strip());
            }
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }

    /** Removes the interface's private key (wg reads an empty file as "no key"). */
    public void clearPrivateKey(String iface) {
        Result r = wg(null, "set", iface, "private-key", "/dev/null");
        if (r.status != 0) {
            throw new WireGuardException("could not remove the private key of " + iface + ": " + r.output.strip());
        }
    }

    /** The interface's public key, empty when it has no private key (for checks; bring-up does not need it). */
    public Optional<String> publicKey(String iface) {
        Result r = wg(null, "show", iface, "public-key");
        String key = r.output.strip();
        return r.status == 0 && WireGuardKey.isPublicKey(key) ? Optional.of(key) : Optional.empty();
    }

    public void linkUp(String iface) {
        link(iface, "up");
    }

    public void linkDown(String iface) {
        link(iface, "down");
    }

    /** Whether the link is administratively up. */
    public boolean isUp(String iface) {
        Result r = ip("-o", "link", "show", "dev", iface);
        return r.status == 0 && r.output.matches("(?s)[^<]*<[^>]*\\bUP\\b.*");
    }

    private void link(String iface, String state) {
        Result r = ip("link", "set", "dev", iface, state);
        if (r.status != 0) {
            throw new WireGuardException("`ip link set dev " + iface + " " + state + "` failed: " + r.output.strip());
        }
    }

    private record Result(int status, String output) {
    }

    /** Runs wg with {@code stdin} written to it (then wiped by the caller). */
    private Result wg(byte[] stdin, String... args) {
        List<String> argv = new ArrayList<>(wgPrefix);
        argv.add("wg");
        argv.addAll(List.of(args));
        return run(stdin, "wg", argv);
    }

    private Result ip(String... args) {
        List<String> argv = new ArrayList<>(ip);
        argv.addAll(List.of(args));
        return run(null, "ip", argv);
    }

    /** Runs a tool, stdout and stderr merged. */
    private Result run(byte[] stdin, String tool, List<String> argv) {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new WireGuardException("cannot run " + tool + " (" + e.getMessage() + "); install "
                    + (tool.equals("wg") ? "wireguard-tools" : "iproute2"), e);
        }
        try {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            }
            String output = readBounded(p.getInputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new WireGuardException(String.join(" ", argv) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new WireGuardException("interrupted while running " + tool, e);
        }
    }

    private static String readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            if (out.size() < MAX_OUTPUT) {
                out.write(buffer, 0, Math.min(n, MAX_OUTPUT - out.size()));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
