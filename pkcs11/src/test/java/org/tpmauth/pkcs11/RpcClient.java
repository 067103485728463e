package org.tpmauth.pkcs11;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** A p11-kit RPC client for the tests: speaks the protocol as p11-kit-client.so does, frame by frame. */
final class RpcClient implements AutoCloseable {
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;
    private long code = 0x10;

    RpcClient(Path socket, int version) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        in = new BufferedInputStream(Channels.newInputStream(channel));
        out = Channels.newOutputStream(channel);
        out.write(version);
        out.flush();
        int answer = in.read();
        if (answer != 0) {
            throw new IOException("server answered version " + answer);
        }
    }

    /** Connects and runs C_Initialize. */
    static RpcClient initialized(Path socket) throws Exception {
        RpcClient c = new RpcClient(socket, 0);
        c.ok(RpcCall.C_INITIALIZE, RpcMessage.ByteArray.of("PRIVATE-GNOME-KEYRING-PKCS11-PROTOCOL-V-1"
                .getBytes(StandardCharsets.US_ASCII)), 0, RpcMessage.ByteArray.of(new byte[1]));
        return c;
    }

    /** Sends a raw body and returns the response body. */
    byte[] raw(byte[] body) throws IOException, RpcFormatException {
        long sent = code++;
        new RpcFrame(sent, "client".getBytes(StandardCharsets.US_ASCII), body).write(out);
        RpcFrame answer = RpcFrame.read(in);
        if (answer == null) {
            throw new IOException("connection closed");
        }
        if (answer.code() != sent) {
            throw new IOException("answer to " + answer.code() + " instead of " + sent);
        }
        return answer.body();
    }

    RpcMessage call(RpcCall call, Object... values) throws Exception {
        return RpcMessage.parse(raw(new RpcMessage(call.id, call.request, List.of(values)).encode()));
    }

    /** A call that must succeed; its response. */
    RpcMessage ok(RpcCall call, Object... values) throws Exception {
        RpcMessage m = call(call, values);
        if (m.callId() != call.id) {
            throw new AssertionError(call.displayName() + " failed with CKR 0x" + Long.toHexString(m.ulong(0)));
        }
        return m;
    }

    /** The CK_RV of a call that must fail. */
    long rv(RpcCall call, Object... values) throws Exception {
        RpcMessage m = call(call, values);
        if (m.callId() != 0) {
            throw new AssertionError(call.displayName() + " succeeded: " + m.values());
        }
        return m.ulong(0);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
