package org.tpmauth.pkcs11;

import java.util.Arrays;

/**
 * Reads p11-kit RPC values (big endian) from a message body; every read is checked against the bytes
 * left, and every length or count against what those bytes could hold, so malformed input becomes an
 * {@link RpcFormatException} and never an oversized allocation.
 */
final class RpcReader {
    /** A byte-array length of all ones: a NULL pointer, no bytes follow. */
    static final long NULL_LENGTH = 0xffffffffL;
    /** p11-kit refuses lengths at or above this (other than {@link #NULL_LENGTH}). */
    private static final long MAX_LENGTH = 0x7fffffffL;

    private final byte[] buf;
    private int pos;

    RpcReader(byte[] buf) {
        this.buf = buf;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return buf.length - pos;
    }

    private void need(long n, String what) throws RpcFormatException {
        if (n > remaining()) {
            throw new RpcFormatException(what + " needs " + n + " bytes at offset " + pos + ", only " + remaining()
                    + " left");
        }
    }

    int u8(String what) throws RpcFormatException {
        need(1, what);
        return buf[pos++] & 0xff;
    }

    long u32(String what) throws RpcFormatException {
        need(4, what);
        long v = ((buf[pos] & 0xffL) << 24) | ((buf[pos + 1] & 0xffL) << 16) | ((buf[pos + 2] & 0xffL) << 8)
                | (buf[pos + 3] & 0xffL);
        pos += 4;
        return v;
    }

    long u64(String what) throws RpcFormatException {
        long hi = u32(what);
        return (hi << 32) | u32(what);
    }

    byte[] bytes(int n, String what) throws RpcFormatException {
        need(n, what);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** A u32 length and that many bytes; {@code null} for the NULL length. */
    byte[] byteArray(String what) throws RpcFormatException {
        long length = u32(what + " length");
        if (length == NULL_LENGTH) {
            return null;
        }
        if (length >= MAX_LENGTH) {
            throw new RpcFormatException(what + " length " + length + " is invalid");
        }
        return bytes((int) length, what);
    }

    /** A u32 count of elements that take at least {@code minSize} bytes each. */
    int count(int minSize, String what) throws RpcFormatException {
        long count = u32(what + " count");
        if (count * minSize > remaining()) {
            throw new RpcFormatException(what + " count " + count + " does not fit the " + remaining()
                    + " bytes left");
        }
        return (int) count;
    }

    void expectEnd(String what) throws RpcFormatException {
        if (remaining() != 0) {
            throw new RpcFormatException(remaining() + " bytes left over after " + what);
        }
    }
}
