package org.tpmauth.vpn.wireguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tpmauth.tls.LoggedProcess;
import org.tpmauth.tls.testing.NetNamespace;

/**
 * WgControl against a real wireguard-go interface in a network namespace of the test's: the key set over the
 * daemon's configuration socket is the one `wg show` reports and the all-zero key removes it; the link goes up
 * and down by SIOCSIFFLAGS in that namespace (as `ip` sees it); without the socket (an empty socket directory) the
 * same calls go through `wg`; without a namespace named, the link is the calling thread's namespace's (an agent in
 * `ip netns exec`); no thread or descriptor stays in the namespace between calls, and one deleted and made
 * again under its name is the new one; a missing interface or namespace is a clear error. Checked with `wg` and `ip`.
 */
class WgControlTest {
    @TempDir
    static Path dir;

    private static NetNamespace ns;
    private static LoggedProcess daemon;
    private static String iface;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        ns = NetNamespace.create("tpmauth-wgc-");
        iface = "wgc" + HexFormat.of().formatHex(SecureRandom.getSeed(3));
        daemon = new LoggedProcess(ns.exec("wireguard-go", "-f", iface), dir.resolve("wireguard-go.log"));
        for (int i = 0; i < 200 && !Files.exists(UapiSocket.DEFAULT_DIRECTORY.resolve(iface + ".sock")); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(UapiSocket.DEFAULT_DIRECTORY.resolve(iface + ".sock")), "wireguard-go's socket");
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @BeforeEach
    void keylessAndDown() throws IOException {
        NetNamespace.run("ip", "netns", "exec", ns.name, "wg", "set", iface, "private-key", "/dev/null");
        NetNamespace.run("ip", "-n", ns.name, "link", "set", iface, "down");
    }

    private static String wgShow(String field) throws IOException {
        return NetNamespace.run("ip", "netns", "exec", ns.name, "wg", "show", iface, field).strip();
    }

    private static boolean upPerIp() throws IOException {
        return NetNamespace.run("ip", "-n", ns.name, "-o", "link", "show", "dev", iface).matches("(?s)[^<]*<[^>]*\\bUP\\b.*");
    }

    private static void setAndCheck(WgControl wg) throws IOException {
        WireGuardKey key = WireGuardKey.generate();
        wg.setPrivateKey(iface, key);
        assertEquals(key.publicKey(), wgShow("public-key"));
        wg.clearPrivateKey(iface);
        assertEquals("(none)", wgShow("private-key"));
        key.destroy();
    }

    @Test
    void theKeyGoesOverTheDaemonsSocketAndTheZeroKeyRemovesIt() throws IOException {
        setAndCheck(new WgControl(Optional.of(ns.name)));
        WireGuardKey key = WireGuardKey.generate();
        byte[] raw = key.raw();
        assertTrue(new UapiSocket(UapiSocket.DEFAULT_DIRECTORY).setPrivateKey(iface, raw), "served by the socket");
        assertEquals(key.publicKey(), wgShow("public-key"));
        assertTrue(new UapiSocket(UapiSocket.DEFAULT_DIRECTORY).setPrivateKey(iface, new byte[WireGuardKey.SIZE]));
        assertEquals("(none)", wgShow("private-key"));
    }

    @Test
    void withoutTheSocketWgSetsTheKey() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("no-sockets"));
        setAndCheck(new WgControl(Optional.of(ns.name), empty));
    }

    @Test
    void theLinkGoesUpAndDownInTheNamespace() throws IOException {
        WgControl wg = new WgControl(Optional.of(ns.name));
        assertFalse(wg.isUp(iface));
        wg.linkUp(iface);
        assertTrue(upPerIp());
        assertTrue(wg.isUp(iface));
        wg.linkUp(iface); // already up: nothing changes
        wg.linkDown(iface);
        assertFalse(upPerIp());
        assertFalse(wg.isUp(iface));
    }

    /** The libc calls with which a test thread enters the namespace, as `ip netns exec` does for a process. */
    private interface Setns extends Library {
        Setns C = Native.load("c", Setns.class);

        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    @Test
    void withoutANamespaceTheLinkIsTheCallersOwn() throws Exception {
        WgControl wg = new WgControl(Optional.empty());
        assertTrue(wg.isUp("lo"));
        String missing = assertThrows(WireGuardException.class, () -> wg.isUp(iface)).getMessage();
        assertTrue(missing.startsWith("no interface '" + iface + "'; create it first"), missing);

        FutureTask<Boolean> inNamespace = new FutureTask<>(() -> { // an agent started in `ip netns exec NS`
            int fd = Setns.C.open("/run/netns/" + ns.name, 0);
            try {
                Setns.C.setns(fd, 0x40000000); // CLONE_NEWNET
            } finally {
                Setns.C.close(fd);
            }
            wg.linkUp(iface);
            return wg.isUp(iface);
        });
        new Thread(inNamespace, "in " + ns.name).start();
        assertTrue(inNamespace.get(60, TimeUnit.SECONDS));
        assertTrue(upPerIp());
    }

    /** Whether a thread or an open descriptor of this JVM refers to the namespace with inode {@code inode}. */
    private static boolean anythingIn(long inode) throws IOException {
        String ns = "net:[" + inode + "]";
        for (String dir : new String[] {"/proc/self/task", "/proc/self/fd"}) {
            try (var entries = Files.list(Path.of(dir))) {
                for (Path entry : entries.toList()) {
                    Path link = dir.endsWith("task") ? entry.resolve("ns/net") : entry;
                    try {
                        if (Files.readSymbolicLink(link).toString().equals(ns)) {
                            return true;
                        }
                    } catch (IOException e) {
                        // the thread ended or the descriptor was closed meanwhile
                    }
                }
            }
        }
        return false;
    }

    private static long inode(String namespace) throws IOException {
        return (Long) Files.getAttribute(Path.of("/run/netns", namespace), "unix:ino");
    }

    @Test
    void noThreadStaysInTheNamespaceAndOneMadeAgainUnderItsNameIsTheNewOne() throws Exception {
        NetNamespace first = NetNamespace.create("tpmauth-wgr-"); // its loopback up
        String name = first.name;
        try {
            WgControl wg = new WgControl(Optional.of(name));
            for (int i = 0; i < 3; i++) { // the same thread, three times
                assertTrue(wg.isUp("lo"));
            }
            long inode = inode(name);
            assertFalse(anythingIn(inode), "this JVM holds on to the namespace after the requests");
            first.close();
            NetNamespace.run("ip", "netns", "add", name); // a new namespace, its loopback down
            assertFalse(wg.isUp("lo"), "the namespace made again is the one used");
            wg.linkUp("lo");
            assertTrue(NetNamespace.run("ip", "-n", name, "-o", "link", "show", "dev", "lo").contains(",UP"));
            assertFalse(anythingIn(inode(name)));
        } finally {
            first.close();
        }
    }

    @Test
    void aMissingInterfaceOrNamespaceIsAClearError() {
        WgControl wg = new WgControl(Optional.of(ns.name));
        String key = assertThrows(WireGuardException.class, () -> wg.setPrivateKey("no" + iface, WireGuardKey.generate()))
                .getMessage();
        assertTrue(key.startsWith("no WireGuard interface 'no" + iface + "'"), key);
        String link = assertThrows(WireGuardException.class, () -> wg.linkUp("no" + iface)).getMessage();
        assertTrue(link.startsWith("no interface 'no" + iface + "' in network namespace " + ns.name), link);
        String netns = assertThrows(WireGuardException.class, () -> new WgControl(Optional.of("no" + ns.name))
                .linkUp(iface)).getMessage();
        assertTrue(netns.startsWith("no network namespace 'no" + ns.name + "'"), netns);
        assertThrows(IllegalArgumentException.class, () -> wg.linkUp("../x"));
        assertThrows(IllegalArgumentException.class, () -> wg.clearPrivateKey("a-name-longer-than-15"));
    }
}
