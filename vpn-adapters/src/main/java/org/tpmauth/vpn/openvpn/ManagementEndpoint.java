package org.tpmauth.vpn.openvpn;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where OpenVPN's management interface is: {@code HOST:PORT} (its {@code --management HOST PORT}) or
 * {@code unix:PATH} (its {@code --management PATH unix}).
 */
public sealed interface ManagementEndpoint {
    /** A TCP address; keep it on the loopback, the protocol is clear text. */
    record Tcp(String host, int port) implements ManagementEndpoint {
        @Override
        public SocketAddress address() {
            return new InetSocketAddress(host, port);
        }

        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /** A unix domain socket. */
    record Unix(Path path) implements ManagementEndpoint {
        @Override
        public SocketAddress address() {
            return UnixDomainSocketAddress.of(path);
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    SocketAddress address();

    /** Parses {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code unix:PATH}. */
    static ManagementEndpoint parse(String text) {
        if (text.startsWith("unix:")) {
            if (text.length() == "unix:".length()) {
                throw new IllegalArgumentException("give the socket's path after unix:");
            }
            return new Unix(Path.of(text.substring("unix:".length())));
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("give the management interface as HOST:PORT or unix:PATH, not '" + text
                    + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the port in '" + text + "' is not a number from 1 to 65535");
        }
        return new Tcp(host, port);
    }

    /** Connects to OpenVPN's management server. */
    default SocketChannel connect() throws IOException {
        return SocketChannel.open(address());
    }

    /**
     * Listens for OpenVPN's {@code --management-client} connection. A stale unix socket file (left by a
     * crash) is replaced; any other file at that path is not touched.
     */
    default ServerSocketChannel listen() throws IOException {
        if (this instanceof Unix unix) {
            if (Files.exists(unix.path()) && !Files.isRegularFile(unix.path()) && !Files.isDirectory(unix.path())) {
                Files.delete(unix.path());
            }
            return ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address());
        }
        return ServerSocketChannel.open().bind(address());
    }
}
