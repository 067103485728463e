package org.tpmauth.vpn.openvpn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * OpenVPN's side of the management protocol, scripted by a test: a management server on 127.0.0.1 that
 * writes any bytes (including lines OpenVPN would never send) and reads the backend's answers.
 */
final class FakeOpenVpn implements AutoCloseable {
    private final ServerSocket server;
    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    FakeOpenVpn() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        server.setSoTimeout(20_000);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Accepts the backend's connection and greets it as OpenVPN does; expects "version 3" and "state on". */
    void accept() throws IOException {
        socket = server.accept();
        socket.setSoTimeout(20_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
        send(">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\n");
        expect("version 3");
        expect("state on");
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    String readLine() throws IOException {
        return in.readLine();
    }

    void expect(String line) throws IOException {
        String got = in.readLine();
        if (!line.equals(got)) {
            throw new AssertionError("expected '" + line + "' from the backend, got '" + got + "'");
        }
    }

    /** Sends {@code >PK_SIGN:b64(data),alg} and returns the signature, empty when the backend refused. */
    byte[] sign(byte[] data, String alg) throws IOException {
        send(">PK_SIGN:" + Base64.getEncoder().encodeToString(data) + (alg.isEmpty() ? "" : "," + alg) + "\n");
        return readPkSig();
    }

    /** Reads a {@code pk-sig} answer: its base64 lines up to END, decoded. */
    byte[] readPkSig() throws IOException {
        expect("pk-sig");
        return Base64.getDecoder().decode(String.join("", readUntilEnd()));
    }

    /** The lines before the next END. */
    List<String> readUntilEnd() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line; !"END".equals(line = in.readLine()); ) {
            if (line == null) {
                throw new IOException("the backend closed the connection");
            }
            lines.add(line);
        }
        return lines;
    }

    /** Ends the current connection, as OpenVPN does when it exits. */
    void hangUp() throws IOException {
        socket.close();
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.close();
        }
        server.close();
    }
}
