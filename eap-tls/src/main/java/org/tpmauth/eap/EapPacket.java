package org.tpmauth.eap;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An EAP packet (RFC 3748 section 4): Code, Identifier, Length, and for Request / Response a Type and
 * its data. Success and Failure have type 0 and no data.
 */
public record EapPacket(Code code, int identifier, int type, byte[] typeData) {
    /** EAP Type numbers used here. */
    public static final int TYPE_IDENTITY = 1;
    public static final int TYPE_NOTIFICATION = 2;
    public static final int TYPE_NAK = 3;
    public static final int TYPE_TLS = 13;

    /** The largest EAP packet: its Length field has 16 bits. */
    public static final int MAX_LENGTH = 0xffff;

    /** EAP codes. */
    public enum Code {
        REQUEST(1), RESPONSE(2), SUCCESS(3), FAILURE(4);

        public final int value;

        Code(int value) {
            this.value = value;
        }

        static Code of(int value) throws EapFormatException {
            for (Code c : values()) {
                if (c.value == value) {
                    return c;
                }
            }
            throw new EapFormatException("EAP code " + value + " is none of Request, Response, Success, Failure");
        }
    }

    public EapPacket {
        if (identifier < 0 || identifier > 0xff) {
            throw new IllegalArgumentException("EAP identifier out of range: " + identifier);
        }
        typeData = typeData.clone();
        boolean typed = code == Code.REQUEST || code == Code.RESPONSE;
        if (typed ? type < 1 || type > 0xff : type != 0 || typeData.length != 0) {
            throw new IllegalArgumentException("EAP " + code + " with type " + type);
        }
        if (typeData.length > MAX_LENGTH - 5) {
            throw new IllegalArgumentException("EAP packet longer than 65535 bytes");
        }
    }

    @Override
    public byte[] typeData() {
        return typeData.clone();
    }

    public static EapPacket request(int identifier, int type, byte[] data) {
        return new EapPacket(Code.REQUEST, identifier, type, data);
    }

    public static EapPacket response(int identifier, int type, byte[] data) {
        return new EapPacket(Code.RESPONSE, identifier, type, data);
    }

    public static EapPacket success(int identifier) {
        return new EapPacket(Code.SUCCESS, identifier, 0, new byte[0]);
    }

    public static EapPacket failure(int identifier) {
        return new EapPacket(Code.FAILURE, identifier, 0, new byte[0]);
    }

    /**
     * Parses one EAP packet. Bytes after Length are padding from the lower layer and are ignored
     * (RFC 3748 4.1); a Length beyond the bytes given, or too short for the code, is an error.
     */
    public static EapPacket parse(byte[] bytes) throws EapFormatException {
        if (bytes.length < 4) {
            throw new EapFormatException("EAP packet of " + bytes.length + " bytes: the header alone has 4");
        }
        Code code = Code.of(bytes[0] & 0xff);
        int identifier = bytes[1] & 0xff;
        int length = ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        if (length > bytes.length) {
            throw new EapFormatException("EAP Length " + length + " exceeds the " + bytes.length + " bytes received");
        }
        if (code == Code.SUCCESS || code == Code.FAILURE) {
            if (length != 4) {
                throw new EapFormatException("EAP " + code + " with Length " + length + " (must be 4)");
            }
            return new EapPacket(code, identifier, 0, new byte[0]);
        }
        if (length < 5) {
            throw new EapFormatException("EAP " + code + " with Length " + length + ": no Type");
        }
        int type = bytes[4] & 0xff;
        if (type == 0) {
            throw new EapFormatException("EAP " + code + " with Type 0");
        }
        return new EapPacket(code, identifier, type, Arrays.copyOfRange(bytes, 5, length));
    }

    /** The packet on the wire. */
    public byte[] encode() {
        boolean typed = code == Code.REQUEST || code == Code.RESPONSE;
        int length = typed ? 5 + typeData.length : 4;
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put((byte) code.value).put((byte) identifier).putShort((short) length);
        if (typed) {
            b.put((byte) type).put(typeData);
        }
        return b.array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EapPacket p && p.code == code && p.identifier == identifier && p.type == type
                && Arrays.equals(p.typeData, typeData);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "EAP " + code + " id=" + identifier + (type == 0 ? "" : " type=" + type + " (" + typeData.length
                + " bytes)");
    }
}
