package org.tpmauth.eap;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The Type-Data of an EAP-TLS packet (RFC 5216 3.1): the Flags octet (L = length included, M = more
 * fragments, S = start), the 4-octet TLS Message Length when L is set, and a piece of TLS data. A
 * fragment without data and without flags is an acknowledgement.
 *
 * @param totalLength the TLS Message Length, or -1 when L is not set
 */
public record EapTlsFragment(boolean more, boolean start, long totalLength, byte[] data) {
    static final int FLAG_LENGTH = 0x80;
    static final int FLAG_MORE = 0x40;
    static final int FLAG_START = 0x20;

    public EapTlsFragment {
        data = data.clone();
        if (totalLength < -1 || totalLength > 0xffffffffL) {
            throw new IllegalArgumentException("TLS Message Length out of range: " + totalLength);
        }
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    int size() {
        return data.length;
    }

    /** The empty fragment that acknowledges one fragment of the other side. */
    public static EapTlsFragment ack() {
        return new EapTlsFragment(false, false, -1, new byte[0]);
    }

    /** The authenticator's EAP-TLS Start. */
    public static EapTlsFragment startFragment() {
        return new EapTlsFragment(false, true, -1, new byte[0]);
    }

    public boolean isAck() {
        return !more && !start && totalLength < 0 && data.length == 0;
    }

    public static EapTlsFragment parse(byte[] typeData) throws EapFormatException {
        if (typeData.length < 1) {
            throw new EapFormatException("EAP-TLS packet without the Flags octet");
        }
        int flags = typeData[0] & 0xff;
        boolean hasLength = (flags & FLAG_LENGTH) != 0;
        long total = -1;
        int offset = 1;
        if (hasLength) {
            if (typeData.length < 5) {
                throw new EapFormatException("EAP-TLS packet with the L flag but no 4-octet TLS Message Length");
            }
            total = ByteBuffer.wrap(typeData, 1, 4).getInt() & 0xffffffffL;
            offset = 5;
        }
        return new EapTlsFragment((flags & FLAG_MORE) != 0, (flags & FLAG_START) != 0, total,
                Arrays.copyOfRange(typeData, offset, typeData.length));
    }

    public byte[] encode() {
        boolean hasLength = totalLength >= 0;
        ByteBuffer b = ByteBuffer.allocate(1 + (hasLength ? 4 : 0) + data.length);
        b.put((byte) ((hasLength ? FLAG_LENGTH : 0) | (more ? FLAG_MORE : 0) | (start ? FLAG_START : 0)));
        if (hasLength) {
            b.putInt((int) totalLength);
        }
        return b.put(data).array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EapTlsFragment f && f.more == more && f.start == start && f.totalLength == totalLength
                && Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "EAP-TLS fragment" + (start ? " start" : "") + (more ? " more" : "")
                + (totalLength >= 0 ? " length=" + totalLength : "") + " (" + data.length + " bytes)";
    }
}
