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

    private final List<String> prefix;

    /** @param netns the network namespace the interface lives in, or empty for this one */
    public WgControl(Optional<String> netns) {
        this.prefix = netns.map(ns -> List.of("ip", "netns", "exec", ns)).orElse(List.of());
    }

    /** Fails with advice when there is no WireGuard interface of that name. */
    public void requireInterface(String iface) {
        Result r = run(null, "wg", "show", iface, "public-key");
        if (r.status != 0) {
            throw new WireGuardException("no WireGuard interface '" + iface + "' (" + r.output.strip() + "); create it "
                    + "first: `ip link add " + iface + " type wireguard`, `wireguard-go " + iface + "`, or wg-quick");
        }
    }

    /** Gives the interface its private key, from memory through a pipe. */
    public void setPrivateKey(String iface, WireGuardKey key) {
        byte[] line = key.base64Line();
        try {
            Result r = run(line, "wg", "set", iface, "private-key", "/dev/stdin");
            if (r.status != 0) {
                throw new WireGuardException("`wg set " + iface + " private-key /dev/stdin` failed: " + r.output.strip());
            }
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }

    /** Removes the interface's private key (wg reads an empty file as "no key"). */
    public void clearPrivateKey(String iface) {
        Result r = run(null, "wg", "set", iface, "private-key", "/dev/null");
        if (r.status != 0) {
            throw new WireGuardException("could not remove the private key of " + iface + ": " + r.output.strip());
        }
    }

    /** The interface's public key, empty when it has no private key. */
    public Optional<String> publicKey(String iface) {
        Result r = run(null, "wg", "show", iface, "public-key");
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
        Result r = run(null, "ip", "-o", "link", "show", "dev", iface);
        return r.status == 0 && r.output.matches("(?s)[^<]*<[^>]*\\bUP\\b.*");
    }

    private void link(String iface, String state) {
        Result r = run(null, "ip", "link", "set", "dev", iface, state);
        if (r.status != 0) {
            throw new WireGuardException("`ip link set dev " + iface + " " + state + "` failed: " + r.output.strip());
        }
    }

    private record Result(int status, String output) {
    }

    /** Runs a tool, {@code stdin} written to it (then wiped by the caller), stdout and stderr merged. */
    private Result run(byte[] stdin, String... command) {
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of(command));
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new WireGuardException("cannot run " + command[0] + " (" + e.getMessage() + "); install "
                    + (command[0].equals("wg") ? "wireguard-tools" : "iproute2"), e);
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
                throw new WireGuardException(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new WireGuardException("interrupted while running " + command[0], e);
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
