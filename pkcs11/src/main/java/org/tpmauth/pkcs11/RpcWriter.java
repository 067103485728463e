package org.tpmauth.pkcs11;

import java.io.ByteArrayOutputStream;

/** Writes p11-kit RPC values (big endian). */
final class RpcWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    RpcWriter u8(int v) {
        out.write(v);
        return this;
    }

    RpcWriter u32(long v) {
        out.write((int) (v >>> 24));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 8));
        out.write((int) v);
        return this;
    }

    RpcWriter u64(long v) {
        return u32(v >>> 32).u32(v);
    }

    RpcWriter raw(byte[] bytes) {
        out.write(bytes, 0, bytes.length);
        return this;
    }

    /** A u32 length and the bytes, or the NULL length for {@code null}. */
    RpcWriter byteArray(byte[] bytes) {
        return bytes == null ? u32(RpcReader.NULL_LENGTH) : u32(bytes.length).raw(bytes);
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
