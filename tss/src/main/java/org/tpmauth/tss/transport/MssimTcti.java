package org.tpmauth.tss.transport;

import java.io.IOException;
import java.time.Duration;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * The TCP protocol of the TCG/Microsoft reference simulator (ms-tpm-20-ref TpmTcpProtocol.h, spoken
 * also by IBM's ibmswtpm2). TPM port: u32 TPM_SEND_COMMAND, u8 locality, u32 length, the command;
 * answered by u32 length, the response, then a u32 acknowledgement 0. Platform port ({@code port + 1}):
 * a u32 signal, acknowledged by a u32 0. Like tpm2-tss's mssim TCTI, opening powers the simulator on
 * and enables its NV (both harmless when already done); TPM2_Startup stays the caller's job.
 */
public final class MssimTcti implements Tcti {
    static final int TPM_SIGNAL_POWER_ON = 1;
    static final int TPM_SIGNAL_POWER_OFF = 2;
    static final int TPM_SEND_COMMAND = 8;
    static final int TPM_SIGNAL_CANCEL_ON = 9;
    static final int TPM_SIGNAL_CANCEL_OFF = 10;
    static final int TPM_SIGNAL_NV_ON = 11;
    static final int TPM_SESSION_END = 20;

    private final String host;
    private final int port;
    private final Duration timeout;
    private final SocketSession tpm;
    private volatile boolean cancelled;

    /** Connects to the simulator's TPM port {@code port} and powers it on through {@code port + 1}. */
    public MssimTcti(String host, int port) {
        this(host, port, SwtpmTcti.DEFAULT_TIMEOUT);
    }

    /** As {@link #MssimTcti(String, int)}, giving up on a silent simulator after {@code timeout}. */
    public MssimTcti(String host, int port, Duration timeout) {
        if (port <= 0 || port >= 65535) {
            throw new IllegalArgumentException("port " + port + " is not a TCP port with a platform port after it");
        }
        this.host = host;
        this.port = port;
        this.timeout = timeout;
        this.tpm = new SocketSession(new SocketEndpoint.Tcp(host, port), timeout, "the TPM simulator",
                "The reference simulator (ms-tpm-20-ref's tpm2-simulator, IBM's tpm_server) listens on port " + port
                        + " for commands and " + (port + 1) + " for platform signals.",
                MssimTcti::endSession);
        try {
            powerOn();
        } catch (RuntimeException e) {
            tpm.disconnect();
            throw e;
        }
    }

    @Override
    public byte[] transmit(byte[] command) {
        byte[] response = tpm.transmit(command, this::exchange);
        if (cancelled) {
            cancelled = false;
            signal(TPM_SIGNAL_CANCEL_OFF, "CANCEL_OFF");
        }
        return response;
    }

    private byte[] exchange(SocketLink link, byte[] command) throws IOException {
        // locality 0: the reference simulator's default and what tpm2-tss sends
        link.send(new TpmWriter().u32(TPM_SEND_COMMAND).u8(0).u32(command.length).toByteArray(), command);
        int size = TpmReader.u32At(link.receive(4), 0);
        TpmFrames.checkSize(size, tpm.where(), command);
        byte[] response = link.receive(size);
        int ack = TpmReader.u32At(link.receive(4), 0);
        if (ack != 0) {
            throw new TpmTransportException(tpm.where() + " ended its answer to " + TpmFrames.commandName(command)
                    + " with "
                    + Integer.toUnsignedString(ack) + " instead of the acknowledgement 0: is that port a TPM "
                    + "simulator's command port?");
        }
        return response;
    }

    /** TPM_SIGNAL_POWER_ON then TPM_SIGNAL_NV_ON: what a simulator needs before TPM2_Startup. */
    public void powerOn() {
        signal(TPM_SIGNAL_POWER_ON, "POWER_ON");
        signal(TPM_SIGNAL_NV_ON, "NV_ON");
    }

    /** TPM_SIGNAL_POWER_OFF: the simulated machine loses power (the next powerOn needs TPM2_Startup). */
    public void powerOff() {
        signal(TPM_SIGNAL_POWER_OFF, "POWER_OFF");
    }

    /** TPM_SIGNAL_CANCEL_ON; the next response turns it off again (TPM_SIGNAL_CANCEL_OFF). */
    @Override
    public void cancel() {
        signal(TPM_SIGNAL_CANCEL_ON, "CANCEL_ON");
        cancelled = true;
    }

    /** One platform signal on its own short connection, ended by TPM_SESSION_END. */
    private void signal(int signal, String name) {
        int platform = port + 1;
        try (SocketLink link = SocketLink.connect(new SocketEndpoint.Tcp(host, platform), timeout, "the TPM simulator's platform port",
                "The simulator takes platform signals on the command port + 1.")) {
            link.send(new TpmWriter().u32(signal).toByteArray());
            int ack = TpmReader.u32At(link.receive(4), 0);
            endSession(link);
            if (ack != 0) {
                throw new TpmTransportException("the TPM simulator at " + host + ":" + platform + " answered signal "
                        + name + " with " + Integer.toUnsignedString(ack) + " instead of 0");
            }
        } catch (IOException e) {
            throw new TpmTransportException("the TPM simulator at " + host + ":" + platform
                    + " did not acknowledge signal " + name + " (" + e.getMessage() + ")", e);
        }
    }

    private static void endSession(SocketLink link) {
        try {
            link.send(new TpmWriter().u32(TPM_SESSION_END).toByteArray());
        } catch (IOException ignored) {
            // closing anyway; the simulator treats a plain close the same way
        }
    }

    @Override
    public String describe() {
        return "mssim:host=" + host + ",port=" + port;
    }

    @Override
    public void close() {
        tpm.disconnect();
    }
}
