package org.tpmauth.tss.types;

import java.math.BigInteger;

/** Unsigned big-endian integers of a fixed width, as TPM2B key values carry them. */
final class Unsigned {
    private Unsigned() {
    }

    /** {@code value} left-padded with zeros to {@code length} bytes. */
    static byte[] toBytes(BigInteger value, int length) {
        if (value.signum() < 0 || value.bitLength() > length * 8) {
            throw new IllegalArgumentException("value does not fit " + length + " unsigned bytes");
        }
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int n = Math.min(raw.length, length); // drops the sign byte of values with the top bit set
        System.arraycopy(raw, raw.length - n, out, length - n, n);
        return out;
    }

    static BigInteger toBigInteger(byte[] bytes) {
        return new BigInteger(1, bytes);
    }
}
