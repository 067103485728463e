package org.tpmauth.eap.eapol;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An AF_PACKET raw socket on one Ethernet interface that sends and receives EAPOL frames (ethertype
 * 0x888e) and has joined the PAE group address. Needs CAP_NET_RAW. Can be opened inside a named network
 * namespace (ip netns): the socket belongs to the namespace it was created in, the rest of the process
 * (the TPM connection, say) stays where it is.
 */
public final class EthernetSocket implements AutoCloseable {
    private static final int MAX_FRAME = 1600;
    private final int fd;
    private final String interfaceName;
    private final byte[] mac;

    private EthernetSocket(int fd, String interfaceName, byte[] mac) {
        this.fd = fd;
        this.interfaceName = interfaceName;
        this.mac = mac;
    }

    /**
     * Opens the socket on {@code interfaceName}, inside network namespace {@code netns} (a name under
     * /var/run/netns) when given.
     */
    public static EthernetSocket open(String interfaceName, String netns) throws IOException {
        if (netns == null) {
            return open(interfaceName);
        }
        // setns changes only the calling thread: a thread of its own enters the namespace and ends
        CompletableFuture<EthernetSocket> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                enter(netns);
                result.complete(open(interfaceName));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "eapol-netns-" + netns);
        t.start();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening the socket", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private static void enter(String netns) throws IOException {
        String path = "/var/run/netns/" + netns;
        int nsFd;
        try {
            nsFd = LinuxPacket.C.open(path, LinuxPacket.O_RDONLY);
        } catch (LastErrorException e) {
            throw new IOException("no network namespace " + netns + " (" + path + "): create it with ip netns add", e);
        }
        try {
            LinuxPacket.C.setns(nsFd, LinuxPacket.CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new IOException("cannot enter network namespace " + netns + ": needs CAP_SYS_ADMIN (run as root)", e);
        } finally {
            LinuxPacket.C.close(nsFd);
        }
    }

    private static EthernetSocket open(String interfaceName) throws IOException {
        byte[] name = interfaceName.getBytes(StandardCharsets.US_ASCII);
        if (name.length == 0 || name.length > 15) {
            throw new IllegalArgumentException("interface name '" + interfaceName + "' is not 1 to 15 characters");
        }
        int fd;
        try {
            fd = LinuxPacket.C.socket(LinuxPacket.AF_PACKET, LinuxPacket.SOCK_RAW, htons(EapolFrame.ETHERTYPE_PAE));
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LinuxPacket.EPERM || e.getErrorCode() == LinuxPacket.EACCES) {
                throw new IOException("EAPOL needs a raw Ethernet socket (AF_PACKET), which needs CAP_NET_RAW: run as "
                        + "root, or grant it with 'setcap cap_net_raw+ep' on the java binary", e);
            }
            throw new IOException("cannot open an AF_PACKET socket: " + e.getMessage(), e);
        }
        try {
            int index = ByteBuffer.wrap(ioctl(fd, LinuxPacket.SIOCGIFINDEX, name, interfaceName), 16, 4)
                    .order(ByteOrder.nativeOrder()).getInt();
            byte[] mac = Arrays.copyOfRange(ioctl(fd, LinuxPacket.SIOCGIFHWADDR, name, interfaceName), 18, 24);
            // struct sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr[8]
            byte[] address = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder()).putShort((short) LinuxPacket.AF_PACKET)
                    .order(ByteOrder.BIG_ENDIAN).putShort((short) EapolFrame.ETHERTYPE_PAE)
                    .order(ByteOrder.nativeOrder()).putInt(index).array();
            LinuxPacket.C.bind(fd, address, address.length);
            // struct packet_mreq: ifindex, type, alen, address[8]
            byte[] mreq = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(index)
                    .putShort((short) LinuxPacket.PACKET_MR_MULTICAST).putShort((short) 6).put(EapolFrame.PAE_GROUP).array();
            LinuxPacket.C.setsockopt(fd, LinuxPacket.SOL_PACKET, LinuxPacket.PACKET_ADD_MEMBERSHIP, mreq, mreq.length);
            return new EthernetSocket(fd, interfaceName, mac);
        } catch (LastErrorException e) {
            LinuxPacket.C.close(fd);
            throw new IOException("cannot bind the EAPOL socket to " + interfaceName + ": " + e.getMessage(), e);
        } catch (IOException e) {
            LinuxPacket.C.close(fd);
            throw e;
        }
    }

    /** struct ifreq: the name, then the answer's union at offset 16. */
    private static byte[] ioctl(int fd, int request, byte[] name, String interfaceName) throws IOException {
        byte[] ifreq = new byte[40];
        System.arraycopy(name, 0, ifreq, 0, name.length);
        try {
            LinuxPacket.C.ioctl(fd, request, ifreq);
        } catch (LastErrorException e) {
            throw new IOException("no network interface " + interfaceName + " here: " + e.getMessage(), e);
        }
        return ifreq;
    }

    private static int htons(int v) {
        return ((v & 0xff) << 8) | ((v >> 8) & 0xff);
    }

    public byte[] mac() {
        return mac.clone();
    }

    public String interfaceName() {
        return interfaceName;
    }

    public void send(EapolFrame frame) throws IOException {
        byte[] bytes = frame.encode();
        // Ethernet frames have at least 60 bytes before the FCS; the kernel does not pad for raw sockets
        byte[] padded = bytes.length >= 60 ? bytes : Arrays.copyOf(bytes, 60);
        try {
            LinuxPacket.C.send(fd, padded, padded.length, 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot send on " + interfaceName + ": " + e.getMessage(), e);
        }
    }

    /** The next frame for us (not our own), or empty after {@code timeoutMillis}. Frames that are not EAPOL are skipped. */
    public Optional<byte[]> receive(int timeoutMillis) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        byte[] buffer = new byte[MAX_FRAME];
        while (true) {
            int left = (int) Math.max(0, deadline - System.currentTimeMillis());
            byte[] pollfd = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(fd).putShort(LinuxPacket.POLLIN)
                    .array();
            try {
                if (LinuxPacket.C.poll(pollfd, 1, left) == 0) {
                    return Optional.empty();
                }
                int n = (int) LinuxPacket.C.recv(fd, buffer, buffer.length, 0);
                if (n >= 14 && !Arrays.equals(buffer, 6, 12, mac, 0, 6)) {
                    return Optional.of(Arrays.copyOf(buffer, n));
                }
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LinuxPacket.EINTR) {
                    throw new IOException("cannot receive on " + interfaceName + ": " + e.getMessage(), e);
                }
            }
        }
    }

    @Override
    public void close() {
        LinuxPacket.C.close(fd);
    }
}
