package org.tpmauth.eap.eapol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.tpmauth.eap.EapFormatException;

/**
 * An EAPOL frame on Ethernet (IEEE 802.1X-2010 11.3): destination and source MAC, ethertype 0x888e,
 * Protocol Version, Packet Type (0 EAP-Packet, 1 EAPOL-Start, 2 EAPOL-Logoff) and the body.
 */
public record EapolFrame(byte[] destination, byte[] source, int version, int type, byte[] body) {
    public static final int ETHERTYPE_PAE = 0x888e;
    public static final int TYPE_EAP = 0;
    public static final int TYPE_START = 1;
    public static final int TYPE_LOGOFF = 2;
    /** The PAE group address, 01:80:c2:00:00:03 (frames to it are not forwarded by bridges). */
    public static final byte[] PAE_GROUP = {0x01, (byte) 0x80, (byte) 0xc2, 0x00, 0x00, 0x03};
    /** 802.1X-2004, as wpa_supplicant and hostapd send by default. */
    public static final int VERSION = 2;
    private static final int HEADER = 14 + 4;

    public EapolFrame {
        if (destination.length != 6 || source.length != 6) {
            throw new IllegalArgumentException("MAC addresses have 6 bytes");
        }
        destination = destination.clone();
        source = source.clone();
        body = body.clone();
    }

    @Override
    public byte[] destination() {
        return destination.clone();
    }

    @Override
    public byte[] source() {
        return source.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    /** Parses an Ethernet frame; the body ends at the Packet Body Length (Ethernet pads short frames). */
    public static EapolFrame parse(byte[] frame) throws EapFormatException {
        if (frame.length < HEADER) {
            throw new EapFormatException("EAPOL frame of " + frame.length + " bytes: the headers alone have 18");
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        byte[] destination = new byte[6];
        byte[] source = new byte[6];
        b.get(destination).get(source);
        int ethertype = b.getShort() & 0xffff;
        if (ethertype != ETHERTYPE_PAE) {
            throw new EapFormatException(String.format("ethertype 0x%04x is not EAPOL (0x888e)", ethertype));
        }
        int version = b.get() & 0xff;
        int type = b.get() & 0xff;
        int length = b.getShort() & 0xffff;
        if (length > b.remaining()) {
            throw new EapFormatException("EAPOL body length " + length + " exceeds the " + b.remaining()
                    + " bytes received");
        }
        return new EapolFrame(destination, source, version, type, Arrays.copyOfRange(frame, HEADER, HEADER + length));
    }

    public byte[] encode() {
        return ByteBuffer.allocate(HEADER + body.length).put(destination).put(source).putShort((short) ETHERTYPE_PAE)
                .put((byte) version).put((byte) type).putShort((short) body.length).put(body).array();
    }

    public static String mac(byte[] address) {
        return HexFormat.ofDelimiter(":").formatHex(address);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EapolFrame f && Arrays.equals(f.encode(), encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        String kind = switch (type) {
            case TYPE_EAP -> "EAP-Packet";
            case TYPE_START -> "EAPOL-Start";
            case TYPE_LOGOFF -> "EAPOL-Logoff";
            default -> "EAPOL type " + type;
        };
        return kind + " " + mac(source) + " -> " + mac(destination) + " (" + body.length + " bytes)";
    }
}
