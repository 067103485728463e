package org.tpmauth.tss.transport;

import java.io.IOException;
import java.time.Duration;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * swtpm's control channel over TCP or a UNIX socket (the socket form of swtpm's ioctls, man swtpm_ioctls): each request
 * is a big-endian u32 command code plus its payload, sent in one segment because swtpm takes a request
 * from a single read; each answer starts with a u32 result (0 = success). One short connection per
 * request, as swtpm_ioctl does, so a busy data channel never blocks it.
 */
final class SwtpmControl {
    static final int CMD_GET_CAPABILITY = 0x01;
    static final int CMD_INIT = 0x02;
    static final int CMD_SHUTDOWN = 0x03;
    static final int CMD_SET_LOCALITY = 0x05;
    static final int CMD_CANCEL_TPM_CMD = 0x09;
    static final int CMD_STOP = 0x0E;

    private final SocketEndpoint endpoint;
    private final Duration timeout;

    SwtpmControl(String host, int port, Duration timeout) {
        this(new SocketEndpoint.Tcp(host, port), timeout);
    }

    SwtpmControl(SocketEndpoint endpoint, Duration timeout) {
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    /** CMD_GET_CAPABILITY: the PTM_CAP_* bits of the control commands this swtpm implements. */
    long capabilities() {
        // swtpm 0.7 answers a u64 of bits; later versions a u32 result then u32 bits: the same 8 bytes
        // whenever the result is 0
        TpmReader in = request(CMD_GET_CAPABILITY, new byte[0], 8, "GET_CAPABILITY");
        return in.u64();
    }

    /** CMD_INIT with flags 0: TPM_Init, like a power cycle (libtpms restarts, keeping its state files). */
    void init() {
        expectSuccess(request(CMD_INIT, new TpmWriter().u32(0).toByteArray(), 4, "INIT"), "INIT");
    }

    /** CMD_SHUTDOWN: swtpm stops the TPM and exits. */
    void shutdown() {
        expectSuccess(request(CMD_SHUTDOWN, new byte[0], 4, "SHUTDOWN"), "SHUTDOWN");
    }

    /** CMD_CANCEL_TPM_CMD: asks the TPM to abandon the command it is running. */
    void cancel() {
        expectSuccess(request(CMD_CANCEL_TPM_CMD, new byte[0], 4, "CANCEL_TPM_CMD"), "CANCEL_TPM_CMD");
    }

    /** CMD_SET_LOCALITY: the locality (0-4) of the following commands. */
    void setLocality(int locality) {
        if (locality < 0 || locality > 4) {
            throw new IllegalArgumentException("locality " + locality + " is not 0 to 4");
        }
        byte[] payload = {(byte) locality};
        expectSuccess(request(CMD_SET_LOCALITY, payload, 4, "SET_LOCALITY"), "SET_LOCALITY");
    }

    private String where() {
        return "swtpm's control channel at " + endpoint;
    }

    private TpmReader request(int code, byte[] payload, int answerSize, String name) {
        String howToStart = endpoint instanceof SocketEndpoint.Tcp tcp
                ? "swtpm must be started with --ctrl type=tcp,port=" + tcp.port() + " (the data port + 1)"
                : "swtpm must be started with --ctrl type=unixio,path=" + endpoint + " (the data socket's path + .ctrl)";
        try (SocketLink link = SocketLink.connect(endpoint, timeout, "swtpm's control channel", howToStart)) {
            link.send(new TpmWriter().u32(code).bytes(payload).toByteArray());
            return new TpmReader(link.receive(answerSize)).enter("swtpm CMD_" + name + " answer");
        } catch (IOException e) {
            throw new TpmTransportException(where() + " gave no complete answer to CMD_" + name + " (" + e.getMessage()
                    + "): is that " + (endpoint instanceof SocketEndpoint.Tcp ? "port swtpm's --ctrl port?" : "socket swtpm's --ctrl socket?"), e);
        }
    }

    private void expectSuccess(TpmReader answer, String name) {
        int result = answer.u32();
        if (result != 0) {
            throw new TpmTransportException(String.format("%s refused CMD_%s with result 0x%x%s", where(), name, result,
                    result == 0x0A ? " (TPM_BAD_ORDINAL: the TPM is not running; send CMD_INIT first)" : ""));
        }
    }
}
