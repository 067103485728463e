package org.tpmauth.tss.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;

/**
 * swtpm's TCP interface: raw TPM commands on the data port (no framing: the command, then a response
 * read as its 10-byte header and the rest it declares), swtpm's control protocol on port + 1.
 *
 * <p>The data connection stays open between commands and is reopened after swtpm restarts (see
 * {@link TcpSession}). swtpm serves one data connection at a time: while this transport holds it,
 * other clients (tpm2-tools ...) wait, so call {@link #disconnect()} to let them in.
 */
public final class SwtpmTcti implements Tcti {
    /** How long a command may run before the connection is given up. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(30);

    private final String host;
    private final int port;
    private final SwtpmControl control;
    private final TcpSession data;

    /** Connects to swtpm's data channel at {@code host:port}; its control channel is {@code port + 1}. */
    public SwtpmTcti(String host, int port) {
        this(host, port, DEFAULT_TIMEOUT);
    }

    /** As {@link #SwtpmTcti(String, int)}, giving up on a silent swtpm after {@code timeout}. */
    public SwtpmTcti(String host, int port, Duration timeout) {
        if (port <= 0 || port >= 65535) {
            throw new IllegalArgumentException("port " + port + " is not a TCP port with a control port after it");
        }
        this.host = host;
        this.port = port;
        // control requests are quick; a short wait keeps a wrong --ctrl port from hanging the caller
        Duration controlTimeout = timeout.compareTo(CONTROL_TIMEOUT) < 0 ? timeout : CONTROL_TIMEOUT;
        this.control = new SwtpmControl(host, port + 1, controlTimeout);
        this.data = new TcpSession(host, port, timeout, "swtpm",
                "Start it with: swtpm socket --tpm2 --tpmstate dir=STATE_DIR --server type=tcp,port=" + port
                        + ",bindaddr=127.0.0.1 --ctrl type=tcp,port=" + (port + 1)
                        + ",bindaddr=127.0.0.1 --flags not-need-init,startup-clear",
                link -> { });
    }

    @Override
    public byte[] transmit(byte[] command) {
        return data.transmit(command, this::exchange);
    }

    private byte[] exchange(TcpLink link, byte[] command) throws IOException {
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
        return "swtpm:host=" + host + ",port=" + port;
    }

    @Override
    public void close() {
        data.disconnect();
    }
}
