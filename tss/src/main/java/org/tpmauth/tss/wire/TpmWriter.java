package org.tpmauth.tss.wire;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Big-endian writer for TPM 2.0 marshalled data. */
public final class TpmWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

    public TpmWriter u8(int v) {
        out.write(v);
        return this;
    }

    public TpmWriter u16(int v) {
        if ((v & ~0xffff) != 0) {
            throw new IllegalArgumentException("value does not fit a UINT16: " + v);
        }
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    public TpmWriter u32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
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
        out.write(b, 0, b.length);
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
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    /** Marshals one value on its own. */
    public static byte[] marshal(Consumer<TpmWriter> body) {
        TpmWriter w = new TpmWriter();
        body.accept(w);
        return w.toByteArray();
    }
}
