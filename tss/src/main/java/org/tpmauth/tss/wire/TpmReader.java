package org.tpmauth.tss.wire;

import java.util.Arrays;

/**
 * Bounds-checked big-endian reader for TPM 2.0 marshalled data. Every read that would pass the end
 * of the input (or of a size-bounded sub-structure) throws {@link TpmFormatException} naming the
 * structure being read and the offset.
 */
public final class TpmReader {
    private final byte[] buf;
    private int pos;
    private int limit;
    /**
     * The names of the structures being read, innermost last; made by the first {@link #enter}: most
     * readers (a header field, a response code) never name one, and every allocation on the per-command
     * path is a page of new heap now and then, which a guest VM pays dearly for.
     */
    private String[] context;
    private int depth;

    public TpmReader(byte[] data) {
        this(data, 0, data.length);
    }

    public TpmReader(byte[] data, int offset, int length) {
        if (offset < 0 || length < 0 || offset > data.length - length) { // no int overflow of offset + length
            throw new IllegalArgumentException("range outside the array");
        }
        this.buf = data;
        this.pos = offset;
        this.limit = offset + length;
    }

    /**
     * The big-endian u32 at {@code offset}, without a reader: for header fields and handles read on every
     * command. Outside the array it fails as a reader over that range does.
     */
    public static int u32At(byte[] data, int offset) {
        if (offset < 0 || offset > data.length - 4) {
            throw new IllegalArgumentException("range outside the array");
        }
        return (data[offset] & 0xff) << 24 | (data[offset + 1] & 0xff) << 16 | (data[offset + 2] & 0xff) << 8
                | data[offset + 3] & 0xff;
    }

    /** Name of the structure being read, for error messages; pair with {@link #leave()}. */
    public TpmReader enter(String structure) {
        if (context == null) {
            context = new String[4];
        } else if (depth == context.length) {
            context = Arrays.copyOf(context, depth * 2);
        }
        context[depth++] = structure;
        return this;
    }

    public void leave() {
        context[--depth] = null;
    }

    /** The innermost structure being read, or "data". */
    public String structure() {
        return depth == 0 ? "data" : context[depth - 1];
    }

    public TpmFormatException error(String problem) {
        return new TpmFormatException(structure(), pos, problem);
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return limit - pos;
    }

    public boolean hasRemaining() {
        return pos < limit;
    }

    private void need(int n) {
        if (n < 0 || n > limit - pos) {
            throw error("needs " + n + " more bytes but only " + (limit - pos) + " remain");
        }
    }

    public int u8() {
        need(1);
        return buf[pos++] & 0xff;
    }

    public int u16() {
        need(2);
        int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    /** A UINT32 as Java int (compare with Integer.compareUnsigned when it matters). */
    public int u32() {
        need(4);
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long u64() {
        long hi = u32() & 0xffffffffL;
        long lo = u32() & 0xffffffffL;
        return (hi << 32) | lo;
    }

    public boolean bool() {
        int v = u8();
        if (v > 1) {
            throw new TpmFormatException(structure(), pos - 1, "TPMI_YES_NO must be 0 or 1, got " + v);
        }
        return v == 1;
    }

    public byte[] bytes(int n) {
        need(n);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** Passes over {@code n} bytes (bounds-checked like {@link #bytes}, without copying them). */
    public void skip(int n) {
        need(n);
        pos += n;
    }

    /** A TPM2B: a UINT16 size followed by that many bytes. */
    public byte[] sized() {
        return bytes(u16());
    }

    /** A TPM2B with a known maximum size (the spec's buffer bound). */
    public byte[] sized(int max) {
        int start = pos;
        int n = u16();
        if (n > max) {
            throw new TpmFormatException(structure(), start, "size " + n + " exceeds the maximum " + max);
        }
        return bytes(n);
    }

    /**
     * Reads a structure wrapped in a TPM2B size (TPM2B_PUBLIC, TPM2B_ATTEST ...): the content must
     * fill exactly the declared size.
     */
    public <T> T sizedStruct(String structure, Reading<T> body) {
        enter(structure); // before the size, so that a truncated size names the TPM2B too
        try {
            int start = pos;
            int n = u16();
            need(n);
            int end = pos + n;
            int outer = limit;
            limit = end;
            try {
                T value = body.read(this);
                if (pos != end) {
                    throw new TpmFormatException(structure, pos, (end - pos) + " bytes left over inside a size of "
                            + n + " declared at offset " + start);
                }
                return value;
            } finally {
                limit = outer;
            }
        } finally {
            leave();
        }
    }

    /** A count-prefixed list with an upper bound on the count (TPML_*). */
    public <T> java.util.List<T> list(int max, Reading<T> element) {
        int start = pos;
        int n = u32();
        if (Integer.compareUnsigned(n, max) > 0) {
            throw new TpmFormatException(structure(), start, "count " + Integer.toUnsignedString(n)
                    + " exceeds the maximum " + max);
        }
        java.util.List<T> out = new java.util.ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
            out.add(element.read(this));
        }
        return java.util.List.copyOf(out);
    }

    /** Reads a named structure, tracking its name for error messages. */
    public <T> T struct(String structure, Reading<T> body) {
        enter(structure);
        try {
            return body.read(this);
        } finally {
            leave();
        }
    }

    /** Fails unless every byte was consumed. */
    public void expectEnd() {
        if (pos != limit) {
            throw error((limit - pos) + " unexpected trailing bytes");
        }
    }

    /** Reads one value from this reader. */
    @FunctionalInterface
    public interface Reading<T> {
        T read(TpmReader in);
    }
}
