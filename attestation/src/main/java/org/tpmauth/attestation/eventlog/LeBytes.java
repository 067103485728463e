package org.tpmauth.attestation.eventlog;

import java.util.Arrays;

/**
 * A bounds-checked little-endian reader over event data, or over a part of it (TCG event-log
 * integers are little-endian). Reading past the end throws {@link Truncated}, which the parsers of
 * event data catch. Parts are views, not copies: a dbx of thousands of entries is read in place.
 */
final class LeBytes {
    /** Data ended before a field. */
    static final class Truncated extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Truncated(String message) {
            super(message);
        }
    }

    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    private final byte[] data;
    private final int start;
    private final int end;
    private int pos;

    LeBytes(byte[] data) {
        this(data, 0, data.length);
    }

    private LeBytes(byte[] data, int start, int end) {
        this.data = data;
        this.start = start;
        this.end = end;
        this.pos = start;
    }

    int remaining() {
        return end - pos;
    }

    private void need(int n, String what) {
        if (n < 0 || n > remaining()) {
            throw new Truncated(what + " needs " + Integer.toUnsignedString(n) + " bytes at offset " + (pos - start)
                    + ", " + remaining() + " left");
        }
    }

    int u8() {
        need(1, "a byte");
        return data[pos++] & 0xff;
    }

    int u16() {
        need(2, "a UINT16");
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    int u32() {
        need(4, "a UINT32");
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16 | (data[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    long u64() {
        long lo = u32() & 0xffffffffL;
        long hi = u32() & 0xffffffffL;
        return hi << 32 | lo;
    }

    /** A length field that must fit the remaining data (a u64 of an EFI structure, say). */
    int length(long n, String what) {
        if (n < 0 || n > remaining()) {
            throw new Truncated(what + " of " + Long.toUnsignedString(n) + " bytes exceeds the " + remaining()
                    + " bytes left");
        }
        return (int) n;
    }

    byte[] bytes(int n) {
        need(n, "a field");
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    /** The next {@code n} bytes as a reader of their own, without copying them. */
    LeBytes slice(int n) {
        need(n, "a field");
        LeBytes part = new LeBytes(data, pos, pos + n);
        pos += n;
        return part;
    }

    void skip(int n) {
        need(n, "a field");
        pos += n;
    }

    /** The next {@code n} bytes as lowercase hex. */
    String hex(int n) {
        need(n, "a field");
        char[] out = new char[2 * n];
        for (int i = 0; i < n; i++) {
            int b = data[pos + i] & 0xff;
            out[2 * i] = HEX_DIGITS[b >>> 4];
            out[2 * i + 1] = HEX_DIGITS[b & 0xf];
        }
        pos += n;
        return new String(out);
    }

    /** Runs {@code consumer} over the next {@code n} bytes in place (to hash them, say). */
    void feed(int n, java.security.MessageDigest consumer) {
        need(n, "a field");
        consumer.update(data, pos, n);
        pos += n;
    }

    byte[] rest() {
        return bytes(remaining());
    }
}
