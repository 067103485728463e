package org.tpmauth.pkcs11;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One frame of p11-kit's RPC transport: {@code u32 code, u32 options_len, u32 body_len}, the options
 * (the client module's name) and the body. The code is the request serial a response echoes.
 */
public record RpcFrame(long code, byte[] options, byte[] body) {
    /** The largest body accepted: far above any real request (a C_SignUpdate chunk, a template). */
    static final int MAX_BODY = 1 << 20;
    /** The largest options block accepted (a module name). */
    static final int MAX_OPTIONS = 4096;

    /** Reads one frame; {@code null} at a clean end of stream before the first byte. */
    static RpcFrame read(InputStream in) throws IOException, RpcFormatException {
        byte[] header = in.readNBytes(12);
        if (header.length == 0) {
            return null;
        }
        if (header.length < 12) {
            throw new EOFException("connection closed inside a frame header");
        }
        RpcReader r = new RpcReader(header);
        long code = r.u32("code");
        long optionsLength = r.u32("options length");
        long bodyLength = r.u32("body length");
        if (optionsLength > MAX_OPTIONS || bodyLength > MAX_BODY) {
            throw new RpcFormatException("frame of " + optionsLength + " option bytes and " + bodyLength
                    + " body bytes exceeds the limits (" + MAX_OPTIONS + ", " + MAX_BODY + ")");
        }
        byte[] options = readFully(in, (int) optionsLength);
        byte[] body = readFully(in, (int) bodyLength);
        return new RpcFrame(code, options, body);
    }

    private static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("connection closed inside a frame");
        }
        return b;
    }

    byte[] encode() {
        return new RpcWriter().u32(code).u32(options.length).u32(body.length).raw(options).raw(body).toBytes();
    }

    void write(OutputStream out) throws IOException {
        out.write(encode());
        out.flush();
    }
}
