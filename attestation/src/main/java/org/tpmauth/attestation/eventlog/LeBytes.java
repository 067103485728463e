package org.tpmauth.attestation.eventlog;

import java.util.Arrays;

/**
 * A bounds-checked little-endian reader over event data (TCG event-log integers are little-endian).
 * Reading past the end throws {@link Truncated}, which the parsers of event data catch.
 */
final class LeBytes {
    /** Data ended before a field. */
    static final class Truncated extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Truncated(String message) {
            super(message);
        }
    }

    private final byte[] data;
    private int pos;

    LeBytes(byte[] data) {
        this.data = data;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return data.length - pos;
    }

    private void need(int n, String what) {
        if (n < 0 || n > remaining()) {
            throw new Truncated(what + " needs " + Integer.toUnsignedString(n) + " bytes at offset " + pos + ", "
                    + remaining() + " left");
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

    byte[] rest() {
        return bytes(remaining());
    }
}
