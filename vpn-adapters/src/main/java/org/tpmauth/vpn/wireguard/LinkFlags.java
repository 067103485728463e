package org.tpmauth.vpn.wireguard;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * A link's administrative state (IFF_UP) through SIOCGIFFLAGS / SIOCSIFFLAGS on a datagram socket, as ifconfig
 * does, instead of starting {@code ip}. The socket is made in the network namespace the link lives in: this
 * process's own, or a named one (/run/netns/NS, as {@code ip netns} names them), since a socket stays in the
 * namespace it was made in. setns(2) moves only the calling thread: a thread of this object's own, started once,
 * enters the named namespace for each socket and goes back right after (a thread started per socket cost about
 * 1 ms, bench/README.md, issue 11, session 9). Between sockets no thread of it is in the namespace and it keeps no
 * descriptor of it, so a deleted namespace goes away and one made again under the name is the one used.
 */
final class LinkFlags {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final short IFF_UP = 1;
    /** struct ifreq: the name (IFNAMSIZ 16, NUL-terminated), then a union whose first member here is short flags. */
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;
    private static final int ENODEV = 19;
    private static final int ENOENT = 2;
    private static final int EPERM = 1;

    private interface LibC extends Library {
        LibC C = Native.load("c", LibC.class);

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int ioctl(int fd, long request, byte[] ifreq) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;
    }

    private final Optional<String> netns;
    /** The thread that makes the sockets in {@link #netns}, made at the first; guarded by this. */
    private ExecutorService inNamespace;
    /** The namespace that thread returns to after each socket (the first caller's), opened once; guarded by this. */
    private int home = -1;

    LinkFlags(Optional<String> netns) {
        this.netns = netns;
    }

    boolean isUp(String iface) {
        int fd = socket();
        try {
            return (flags(fd, iface) & IFF_UP) != 0;
        } finally {
            close(fd);
        }
    }

    /** Sets or clears IFF_UP, leaving the other flags as they are. */
    void setUp(String iface, boolean up) {
        int fd = socket();
        try {
            short flags = flags(fd, iface);
            short wanted = (short) (up ? flags | IFF_UP : flags & ~IFF_UP);
            if (wanted != flags) {
                byte[] ifreq = ifreq(iface);
                ByteBuffer.wrap(ifreq).order(ByteOrder.nativeOrder()).putShort(IFNAMSIZ, wanted);
                ioctl(fd, SIOCSIFFLAGS, ifreq, iface, up ? "up" : "down");
            }
        } finally {
            close(fd);
        }
    }

    private short flags(int fd, String iface) {
        byte[] ifreq = ifreq(iface);
        ioctl(fd, SIOCGIFFLAGS, ifreq, iface, "read the state of");
        return ByteBuffer.wrap(ifreq).order(ByteOrder.nativeOrder()).getShort(IFNAMSIZ);
    }

    private void ioctl(int fd, long request, byte[] ifreq, String iface, String what) {
        try {
            LibC.C.ioctl(fd, request, ifreq);
        } catch (LastErrorException e) {
            String where = netns.map(ns -> " in network namespace " + ns).orElse("");
            String verb = what.equals("up") || what.equals("down") ? "set " + iface + " " + what : what + " " + iface;
            throw new WireGuardException(switch (e.getErrorCode()) {
                case ENODEV -> "no interface '" + iface + "'" + where + "; create it first: `ip link add " + iface
                        + " type wireguard`, `wireguard-go " + iface + "`, or wg-quick";
                case EPERM -> "not allowed to " + verb + where + ": needs CAP_NET_ADMIN (run as root)";
                default -> "could not " + verb + where + ": errno " + e.getErrorCode();
            }, e);
        }
    }

    private static byte[] ifreq(String iface) {
        byte[] name = iface.getBytes(StandardCharsets.US_ASCII);
        if (name.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface names have at most " + (IFNAMSIZ - 1) + " characters");
        }
        byte[] ifreq = new byte[IFREQ_SIZE];
        System.arraycopy(name, 0, ifreq, 0, name.length);
        return ifreq;
    }

    /** A datagram socket in the link's namespace. */
    private int socket() {
        if (netns.isEmpty()) {
            return datagramSocket();
        }
        String ns = netns.get();
        ExecutorService worker;
        int homeFd;
        synchronized (this) {
            if (home < 0) {
                try {
                    home = LibC.C.open("/proc/thread-self/ns/net", O_RDONLY_CLOEXEC); // where this caller is
                } catch (LastErrorException e) {
                    throw new WireGuardException("cannot open this process's network namespace "
                            + "(/proc/thread-self/ns/net; is /proc mounted?): errno " + e.getErrorCode(), e);
                }
            }
            if (inNamespace == null || inNamespace.isShutdown()) {
                inNamespace = Executors.newSingleThreadExecutor(task -> {
                    Thread t = new Thread(task, "link-flags in " + ns);
                    t.setDaemon(true);
                    return t;
                });
            }
            worker = inNamespace;
            homeFd = home;
        }
        try {
            return worker.submit(() -> socketIn(ns, homeFd, worker)).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new WireGuardException("cannot make a socket in network namespace '" + ns + "'", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WireGuardException("interrupted while entering network namespace '" + ns + "'", e);
        } catch (RejectedExecutionException e) { // retired by a concurrent call that could not return
            throw new WireGuardException("cannot make a socket in network namespace '" + ns + "': try again", e);
        }
    }

    /**
     * On the worker: enters {@code ns} by its name (opened anew, so a namespace deleted and made again under that
     * name is the new one), makes the socket and returns to {@code home}. A worker that cannot return is retired
     * (it ends after this task; the next socket gets a new one), so no thread stays in the namespace.
     */
    private static int socketIn(String ns, int home, ExecutorService worker) {
        int nsFd;
        try {
            nsFd = LibC.C.open("/run/netns/" + ns, O_RDONLY_CLOEXEC);
        } catch (LastErrorException e) {
            throw new WireGuardException(e.getErrorCode() == ENOENT ? "no network namespace '" + ns
                    + "' (/run/netns/" + ns + "): `ip netns list` shows the namespaces" : "cannot open the network "
                    + "namespace '" + ns + "': errno " + e.getErrorCode(), e);
        }
        try {
            LibC.C.setns(nsFd, CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new WireGuardException("cannot enter the network namespace '" + ns + "': errno "
                    + e.getErrorCode() + (e.getErrorCode() == EPERM ? " (needs CAP_SYS_ADMIN: run as root)" : ""), e);
        } finally {
            LibC.C.close(nsFd);
        }
        int fd = -1;
        try {
            fd = datagramSocket();
        } finally {
            try {
                LibC.C.setns(home, CLONE_NEWNET);
            } catch (LastErrorException e) {
                worker.shutdown();
                if (fd >= 0) {
                    close(fd);
                }
                throw new WireGuardException("cannot leave the network namespace '" + ns + "': errno "
                        + e.getErrorCode(), e);
            }
        }
        return fd;
    }

    private static int datagramSocket() {
        try {
            return LibC.C.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new WireGuardException("cannot open a socket to set the link's state: errno " + e.getErrorCode(), e);
        }
    }

    private static void close(int fd) {
        try {
            LibC.C.close(fd);
        } catch (LastErrorException e) {
            // closing a socket that did its work: nothing to undo
        }
    }
}
