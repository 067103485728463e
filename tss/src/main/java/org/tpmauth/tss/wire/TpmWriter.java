package org.tpmauth.tss.wire;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Big-endian writer for TPM 2.0 marshalled data. Its buffer is made by the first write, as large as
 * that write or {@value #FIRST_CAPACITY} bytes (or the capacity given), and doubles as needed: a command
 * makes several writers of a few bytes (its handles, its authorization area), and every allocation on
 * the per-command path is a page of new heap now and then, which a guest VM pays dearly for.
 */
public final class TpmWriter {
    private static final int FIRST_CAPACITY = 32;
    private static final byte[] NOTHING = new byte[0];

    private final int firstCapacity;
    private byte[] buf = NOTHING;
    private int count;

    public TpmWriter() {
        this(FIRST_CAPACITY);
    }

    /** A writer whose first buffer holds {@code capacity} bytes: the exact size never grows it. */
    public TpmWriter(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " is not positive");
        }
        this.firstCapacity = capacity;
    }

    /** Room for {@code n} more bytes. */
    private void ensure(int n) {
        int needed = count + n;
        if (needed < 0) {
            throw new IllegalArgumentException("more than 2 GiB of marshalled data");
        }
        if (needed > buf.length) {
            long grown = buf.length == 0 ? firstCapacity : 2L * buf.length;
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, grown)));
        }
    }

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
        buf[count] = (byte) (v >>> 8);
        buf[count + 1] = (byte) v;
        count += 2;
        return this;
    }

    public TpmWriter u32(int v) {
        ensure(4);
        buf[count] = (byte) (v >>> 24);
        buf[count + 1] = (byte) (v >>> 16);
        buf[count + 2] = (byte) (v >>> 8);
        buf[count + 3] = (byte) v;
        count += 4;
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
        return bytes(b, b.length);
    }

    /** What {@code other} holds so far, without copying it out first. */
    public TpmWriter bytes(TpmWriter other) {
        return bytes(other.buf, other.count);
    }

    private TpmWriter bytes(byte[] b, int n) {
        ensure(n);
        System.arraycopy(b, 0, buf, count, n);
        count += n;
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
        u16(inner.size());
        return bytes(inner);
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

    /** A copy of what was written (a shared empty array when nothing was: it cannot change). */
    public byte[] toByteArray() {
        return count == 0 ? NOTHING : Arrays.copyOf(buf, count);
    }

    /** Marshals one value on its own. */
    public static byte[] marshal(Consumer<TpmWriter> body) {
        return marshal(FIRST_CAPACITY, body);
    }

    /**
     * Marshals one value on its own, starting with room for {@code capacity} bytes; when that was the
     * exact size, the writer's buffer is the result (nothing else sees the writer), without a copy.
     */
    public static byte[] marshal(int capacity, Consumer<TpmWriter> body) {
        TpmWriter w = new TpmWriter(capacity);
        body.accept(w);
        return w.count == w.buf.length ? w.buf : w.toByteArray();
    }
}
