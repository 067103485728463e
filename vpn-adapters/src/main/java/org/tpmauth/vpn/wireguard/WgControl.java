package org.tpmauth.vpn.wireguard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Drives an existing WireGuard interface, optionally inside a network namespace, without starting a process
 * where it can: the private key over a userspace implementation's configuration socket ({@link UapiSocket},
 * wireguard-go / boringtun), the link through SIOCSIFFLAGS ({@link LinkFlags}). The kernel module's interfaces
 * have no such socket: their key goes to {@code wg set IFACE private-key /dev/stdin} (in {@code ip netns exec NS})
 * through a pipe. Never a file, never an argument; the caller's and this class's copies of the key are wiped.
 */
public final class WgControl {
    private static final long TIMEOUT_SECONDS = 10;
    /** Output kept from a tool for its error message. */
    private static final int MAX_OUTPUT = 4096;

    /** Before wg: {@code ip netns exec NS}. */
    private final List<String> wgPrefix;

    private final UapiSocket uapi;
    private final LinkFlags link;

    /** @param netns the network namespace the interface lives in, or empty for this one */
    public WgControl(Optional<String> netns) {
        this(netns, UapiSocket.DEFAULT_DIRECTORY);
    }

    WgControl(Optional<String> netns, Path uapiDirectory) {
        this.wgPrefix = netns.map(ns -> List.of("ip", "netns", "exec", ns)).orElse(List.of());
        this.uapi = new UapiSocket(uapiDirectory);
        this.link = new LinkFlags(netns);
    }

    /**
     * Gives the interface its private key from memory: over its userspace daemon's socket, else (the kernel's
     * interfaces) through a pipe to {@code wg}; fails with advice when there is no WireGuard interface of that name.
     */
    public void setPrivateKey(String iface, WireGuardKey key) {
        checkName(iface);
        byte[] raw = key.raw();
        try {
            if (uapi.setPrivateKey(iface, raw)) {
                return;
            }
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
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

    /** Removes the interface's private key (the protocol's all-zero key; wg reads an empty file as "no key"). */
    public void clearPrivateKey(String iface) {
        checkName(iface);
        if (uapi.setPrivateKey(iface, new byte[WireGuardKey.SIZE])) {
            return;
        }
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
        checkName(iface);
        link.setUp(iface, true);
    }

    public void linkDown(String iface) {
        checkName(iface);
        link.setUp(iface, false);
    }

    /** Whether the link is administratively up. */
    public boolean isUp(String iface) {
        checkName(iface);
        return link.isUp(iface);
    }

    /**
     * The kernel's rule for interface names (dev_valid_name): 1-15 bytes, not "." or "..", no '/', ':' or white
     * space; checked before the name becomes a socket path or an ifreq.
     */
    private static void checkName(String iface) {
        if (iface.isEmpty() || iface.length() > 15 || iface.equals(".") || iface.equals("..")
                || !iface.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/' && c != ':')) {
            throw new IllegalArgumentException("bad interface name: 1-15 printable ASCII characters without '/', ':' "
                    + "or spaces, not '.' or '..'");
        }
    }

    private record Result(int status, String output) {
    }

    /** Runs wg, stdout and stderr merged, with {@code stdin} written to it (then wiped by the caller). */
    private Result wg(byte[] stdin, String... args) {
        List<String> argv = new ArrayList<>(wgPrefix);
        argv.add("wg");
        argv.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new WireGuardException("cannot run wg (" + e.getMessage() + "); install wireguard-tools", e);
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
            throw new WireGuardException("interrupted while running wg", e);
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
