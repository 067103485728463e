package org.tpmauth.eap.radius;

import java.util.Arrays;
import java.util.HexFormat;

/** One RADIUS attribute: Type and Value (at most 253 bytes). */
public record RadiusAttribute(int type, byte[] value) {
    public static final int USER_NAME = 1;
    public static final int NAS_IP_ADDRESS = 4;
    public static final int FRAMED_MTU = 12;
    public static final int REPLY_MESSAGE = 18;
    public static final int STATE = 24;
    public static final int VENDOR_SPECIFIC = 26;
    public static final int NAS_PORT_TYPE = 61;
    public static final int EAP_MESSAGE = 79;
    public static final int MESSAGE_AUTHENTICATOR = 80;
    public static final int MAX_VALUE = 253;

    public RadiusAttribute {
        if (type < 1 || type > 255) {
            throw new IllegalArgumentException("RADIUS attribute type " + type);
        }
        if (value.length > MAX_VALUE) {
            throw new IllegalArgumentException("RADIUS attribute value of " + value.length + " bytes (at most 253)");
        }
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    int encodedLength() {
        return 2 + value.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RadiusAttribute a && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "attribute " + type + (type == STATE ? " " + HexFormat.of().formatHex(value) : "") + " (" + value.length
                + " bytes)";
    }
}
