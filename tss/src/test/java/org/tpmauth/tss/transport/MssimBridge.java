package org.tpmauth.tss.transport;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Speaks the reference simulator's TCP protocol (ms-tpm-20-ref TcpServer.c) on a TPM port and a
 * platform port (+ 1), and runs the commands on a real TPM behind it: swtpm's data channel for TPM
 * commands, its control channel for power-on. Debian ships no reference simulator; the TPM here is
 * real, only the framing is bridged. Like the simulator it serves one connection per port at a time
 * and acknowledges every command with a trailing u32 0.
 */
final class MssimBridge implements AutoCloseable {
    private final SwtpmTcti tpm;
    private final SwtpmControl power;
    private final ServerSocket tpmPort;
    private final ServerSocket platformPort;
    private final List<Integer> signals = new CopyOnWriteArrayList<>();
    private volatile boolean poweredOn = true;
    /** When set, sent instead of a proper answer to the next command (fault tests). */
    volatile byte[] rawAnswer;

    MssimBridge(int swtpmPort) throws IOException {
        this.tpm = new SwtpmTcti("127.0.0.1", swtpmPort);
        this.power = new SwtpmControl("127.0.0.1", swtpmPort + 1, SwtpmTcti.DEFAULT_TIMEOUT);
        ServerSocket[] pair = adjacentPorts();
        this.tpmPort = pair[0];
        this.platformPort = pair[1];
        serve(tpmPort, this::tpmSession, "mssim bridge: TPM port");
        serve(platformPort, this::platformSession, "mssim bridge: platform port");
    }

    int port() {
        return tpmPort.getLocalPort();
    }

    /** The platform signals received, in order. */
    List<Integer> signals() {
        return signals;
    }

    private interface Session {
        void run(DataInputStream in, DataOutputStream out) throws IOException;
    }

    private static void serve(ServerSocket server, Session session, String name) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    session.run(new DataInputStream(s.getInputStream()), new DataOutputStream(s.getOutputStream()));
                } catch (IOException e) {
                    // client gone or bridge closed: accept the next one
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private void tpmSession(DataInputStream in, DataOutputStream out) throws IOException {
        while (true) {
            int code = in.readInt();
            if (code != MssimTcti.TPM_SEND_COMMAND) {
                return; // TPM_SESSION_END, or something this bridge does not speak
            }
            in.readUnsignedByte(); // locality: swtpm is told nothing of it here
            byte[] command = new byte[in.readInt()];
            in.readFully(command);
            byte[] raw = rawAnswer;
            if (raw != null) {
                rawAnswer = null;
                out.write(raw);
                out.flush();
                continue;
            }
            byte[] response = tpm.transmit(command);
            out.writeInt(response.length);
            out.write(response);
            out.writeInt(0);
            out.flush();
        }
    }

    private void platformSession(DataInputStream in, DataOutputStream out) throws IOException {
        while (true) {
            int signal = in.readInt();
            if (signal == MssimTcti.TPM_SESSION_END) {
                return;
            }
            signals.add(signal);
            switch (signal) {
                case MssimTcti.TPM_SIGNAL_POWER_OFF -> poweredOn = false;
                case MssimTcti.TPM_SIGNAL_POWER_ON -> {
                    if (!poweredOn) {
                        power.init(); // TPM_Init: the TPM now waits for TPM2_Startup, as after a real power-on
                        poweredOn = true;
                    }
                }
                case MssimTcti.TPM_SIGNAL_CANCEL_ON -> tpm.cancel();
                default -> {
                    // NV_ON, CANCEL_OFF: nothing to do for swtpm
                }
            }
            out.writeInt(0);
            out.flush();
        }
    }

    private static ServerSocket[] adjacentPorts() throws IOException {
        for (int i = 0; i < 100; i++) {
            ServerSocket a = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            try {
                return new ServerSocket[] {a, new ServerSocket(a.getLocalPort() + 1, 5,
                        InetAddress.getLoopbackAddress())};
            } catch (IOException taken) {
                a.close();
            }
        }
        throw new IOException("no two adjacent free ports on 127.0.0.1");
    }

    @Override
    public void close() throws IOException {
        tpmPort.close();
        platformPort.close();
        tpm.close();
    }
}
