package org.tpmauth.tss.wire;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Big-endian writer for TPM 2.0 marshalled data. Its own buffer rather than a ByteArrayOutputStream, whose
 * every write is synchronized: a command is some 50 single-byte writes, and the per-command path runs as
 * profiled (C1) code for thousands of TLS signatures, where each of them takes and releases a lock.
 */
public final class TpmWriter {
    private byte[] buf = new byte[128];
    private int count;

    public TpmWriter u8(int v) {
        ensure(1);
        buf[count++] = (byte) v;
        return this;
    }

    public TpmWriter u16(int v) {
        if ((v & ~0xffff) != 0) {
            throw new IllegalArgumentException("value does not fit a UINT16: " + v);
        }
        ensure(2);
        buf[count++] = (byte) (v >>> 8);
        buf[count++] = (byte) v;
        return this;
    }

    public TpmWriter u32(int v) {
        ensure(4);
        buf[count++] = (byte) (v >>> 24);
        buf[count++] = (byte) (v >>> 16);
        buf[count++] = (byte) (v >>> 8);
        buf[count++] = (byte) v;
        return this;
    }

    public TpmWriter u64(long v) {
        u32((int) (v >>> 32));
        return u32((int) v);
    }

    public TpmWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    public TpmWriter bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, count, b.length);
        count += b.length;
        return this;
    }

    /** A TPM2B: UINT16 size then the bytes. */
    public TpmWriter sized(byte[] b) {
        u16(b.length);
        return bytes(b);
    }

    /** A structure wrapped in a TPM2B size (TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE ...). */
    public TpmWriter sizedStruct(Consumer<TpmWriter> body) {
        TpmWriter inner = new TpmWriter();
        body.accept(inner);
        return sized(inner.toByteArray());
    }

    /** A TPML: UINT32 count then the elements. */
    public <T> TpmWriter list(List<T> items, BiConsumer<TpmWriter, T> element) {
        u32(items.size());
        for (T item : items) {
            element.accept(this, item);
        }
        return this;
    }

    public int size() {
        return count;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, count);
    }

    private void ensure(int more) {
        if (more > buf.length - count) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, Math.addExact(count, more)));
        }
    }

    /** Marshals one value on its own. */
    public static byte[] marshal(Consumer<TpmWriter> body) {
        TpmWriter w = new TpmWriter();
        body.accept(w);
        return w.toByteArray();
    }
}
