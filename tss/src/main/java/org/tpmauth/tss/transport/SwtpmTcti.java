package org.tpmauth.tss.transport;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * swtpm's socket interface: raw TPM commands on the data channel (no framing: the command, then a
 * response read as its 10-byte header and the rest it declares), swtpm's control protocol on a second
 * channel. Over TCP the data port P and the control port P + 1; over UNIX sockets (tpm2-tss's
 * {@code swtpm:path=P}) the data socket P and the control socket {@code P.ctrl}, which costs less CPU per
 * command than loopback TCP and needs no look at the idle connection before a command.
 *
 * <p>The data connection stays open between commands and is reopened after swtpm restarts (see
 * {@link SocketSession}). swtpm serves one data connection at a time: while this transport holds it,
 * other clients (tpm2-tools ...) wait, so call {@link #disconnect()} to let them in.
 */
public final class SwtpmTcti implements Tcti {
    /** How long a command may run before the connection is given up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(30);

    private final String config;
    private final SwtpmControl control;
    private final SocketSession data;

    /** Connects to swtpm's data channel at {@code host:port}; its control channel is {@code port + 1}. */
    public SwtpmTcti(String host, int port) {
        this(host, port, DEFAULT_TIMEOUT);
    }

    /** As {@link #SwtpmTcti(String, int)}, giving up on a silent swtpm after {@code timeout}. */
    public SwtpmTcti(String host, int port, Duration timeout) {
        this(new SocketEndpoint.Tcp(host, checkPort(port)), new SocketEndpoint.Tcp(host, port + 1), timeout,
                "swtpm:host=" + host + ",port=" + port,
                "--server type=tcp,port=" + port + ",bindaddr=127.0.0.1 --ctrl type=tcp,port=" + (port + 1)
                        + ",bindaddr=127.0.0.1");
    }

    /**
     * Connects to swtpm's data channel on the UNIX socket {@code socket}; its control channel is the socket
     * beside it with ".ctrl" appended, as tpm2-tss's swtpm TCTI expects.
     */
    public SwtpmTcti(Path socket) {
        this(socket, DEFAULT_TIMEOUT);
    }

    /** As {@link #SwtpmTcti(Path)}, giving up on a silent swtpm after {@code timeout}. */
    public SwtpmTcti(Path socket, Duration timeout) {
        this(new SocketEndpoint.Unix(socket), new SocketEndpoint.Unix(controlSocket(socket)), timeout,
                "swtpm:path=" + socket,
                "--server type=unixio,path=" + socket + " --ctrl type=unixio,path=" + controlSocket(socket));
    }

    private SwtpmTcti(SocketEndpoint data, SocketEndpoint control, Duration timeout, String config, String channels) {
        this.config = config;
        // control requests are quick; a short wait keeps a wrong --ctrl port from hanging the caller
        Duration controlTimeout = timeout.compareTo(CONTROL_TIMEOUT) < 0 ? timeout : CONTROL_TIMEOUT;
        this.control = new SwtpmControl(control, controlTimeout);
        this.data = new SocketSession(data, timeout, "swtpm",
                "Start it with: swtpm socket --tpm2 --tpmstate dir=STATE_DIR " + channels
                        + " --flags not-need-init,startup-clear",
                link -> { });
    }

    /** swtpm's control socket for the data socket {@code socket}: the same path with ".ctrl" appended. */
    public static Path controlSocket(Path socket) {
        return socket.resolveSibling(socket.getFileName() + ".ctrl");
    }

    private static int checkPort(int port) {
        if (port <= 0 || port >= 65535) {
            throw new IllegalArgumentException("port " + port + " is not a TCP port with a control port after it");
        }
        return port;
    }

    @Override
    public byte[] transmit(byte[] command) {
        return data.transmit(command, this::exchange);
    }

    private byte[] exchange(SocketLink link, byte[] command) throws IOException {
        link.send(command);
        byte[] header = link.receive(TpmFrames.HEADER);
        byte[] response = Arrays.copyOf(header, TpmFrames.responseSize(header, data.where(), command));
        link.receive(response, TpmFrames.HEADER, response.length - TpmFrames.HEADER);
        return response;
    }

    /**
     * Closes the data connection so other clients can reach swtpm, which serves one at a time; the
     * next command reconnects.
     */
    public void disconnect() {
        data.disconnect();
    }

    /**
     * Power-cycles the TPM and starts it: control command CMD_INIT (TPM_Init), then TPM2_Startup(SU_CLEAR)
     * on the data channel. Transient objects, sessions and PCRs are reset; NV and persistent objects stay.
     */
    public void init() {
        control.init();
        byte[] response = transmit(TpmFrames.startupClear());
        int rc = TpmFrames.responseCode(response);
        if (rc != 0) {
            throw new TpmTransportException(String.format("%s: TPM2_Startup(SU_CLEAR) after CMD_INIT answered "
                    + "TPM_RC 0x%03x", data.where(), rc));
        }
    }

    /** Control command CMD_SHUTDOWN: swtpm shuts the TPM down and exits. */
    public void shutdown() {
        data.disconnect();
        control.shutdown();
    }

    /**
     * Control command CMD_CANCEL_TPM_CMD. swtpm's socket server (0.7) reads its control channel only
     * between commands, so this cannot cut a running command short there.
     */
    @Override
    public void cancel() {
        control.cancel();
    }

    /** Control command CMD_SET_LOCALITY: the locality (0-4) the following commands run at. */
    public void setLocality(int locality) {
        control.setLocality(locality);
    }

    /** Control command CMD_GET_CAPABILITY: the PTM_CAP_* bits of the control commands swtpm implements. */
    public long capabilities() {
        return control.capabilities();
    }

    @Override
    public String describe() {
        return config;
    }

    @Override
    public void close() {
        data.disconnect();
    }
}
