package org.tpmauth.demo.network;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a client in this JVM reach a server as if from inside network namespace {@code netns}: it listens on
 * 127.0.0.1 here and opens each upstream connection from a thread that has entered {@code netns} (setns(2)
 * moves only the calling thread, and a socket stays in the namespace it was made in). The demo's in-process
 * MQTT client thereby connects from the device's namespace, as a service on the device would ({@link InNamespace}).
 */
final class NamespaceRelay implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;

    private final ServerSocket server;
    private final String netns;
    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    private NamespaceRelay(ServerSocket server, String netns, InetSocketAddress target) {
        this.server = server;
        this.netns = netns;
        this.target = target;
    }

    /** Starts relaying 127.0.0.1:{@link #port()} to {@code target} as seen from {@code netns}. */
    static NamespaceRelay start(String netns, InetSocketAddress target) throws IOException {
        NamespaceRelay relay = new NamespaceRelay(new ServerSocket(0, 8, InetAddress.getLoopbackAddress()), netns,
                target);
        daemon("relay-accept-" + netns, relay::acceptLoop).start();
        return relay;
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                sockets.add(in);
                Socket out;
                try {
                    out = connectInNamespace();
                } catch (IOException e) {
                    quietly(in); // the client sees the connection close
                    continue;
                }
                sockets.add(out);
                daemon("relay-up", () -> pump(in, out)).start();
                daemon("relay-down", () -> pump(out, in)).start();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    closeAll();
                }
                return;
            }
        }
    }

    /** Opens the upstream connection on a thread of its own inside the namespace. */
    private Socket connectInNamespace() throws IOException {
        return InNamespace.call(netns, "connect to " + target, () -> {
            Socket socket = new Socket();
            socket.connect(target, CONNECT_TIMEOUT_MILLIS);
            return socket;
        });
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed: close both
        } finally {
            quietly(from);
            quietly(to);
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    private void closeAll() {
        sockets.forEach(NamespaceRelay::quietly);
    }

    private static void quietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        closeAll();
    }
}
