package org.tpmauth.tss.transport;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP server on 127.0.0.1 that plays a misbehaving TPM: it accepts connections one after another and
 * hands each to a script. Only for failure paths (bad sizes, garbage, resets); real behaviour is
 * tested against swtpm and libtpms.
 */
final class FakeTpmServer implements AutoCloseable {
    /** What to do with the n-th connection (0-based). */
    interface Script {
        void serve(int connection, Socket socket) throws IOException;
    }

    private final ServerSocket server;
    private final Thread thread;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile int connections;

    FakeTpmServer(Script script) throws IOException {
        server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> {
            try {
                while (true) {
                    Socket s = server.accept();
                    sockets.add(s);
                    int n = connections++;
                    try {
                        script.serve(n, s);
                    } catch (IOException e) {
                        s.close();
                    }
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "fake TPM server");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    int connections() {
        return connections;
    }

    /** Reads one raw TPM command (header, then the rest). */
    static byte[] readCommand(Socket s) throws IOException {
        return readCommand(s.getInputStream());
    }

    /** Reads one raw TPM command from a stream. */
    static byte[] readCommand(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] header = new byte[10];
        in.readFully(header);
        int size = ByteBuffer.wrap(header, 2, 4).getInt();
        byte[] command = Arrays.copyOf(header, size);
        in.readFully(command, 10, size - 10);
        return command;
    }

    static void write(Socket s, byte[] bytes) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** A well-formed TPM2_GetRandom response with {@code n} bytes. */
    static byte[] randomResponse(int n) {
        byte[] out = new byte[12 + n];
        out[0] = (byte) 0x80;
        out[1] = 0x01;
        out[5] = (byte) out.length;
        out[11] = (byte) n;
        return out;
    }

    /** Closes with a TCP reset instead of an orderly close. */
    static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0);
        s.close();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
