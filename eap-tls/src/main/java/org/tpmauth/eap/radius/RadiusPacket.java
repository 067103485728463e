package org.tpmauth.eap.radius;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A RADIUS packet (RFC 2865 3): Code, Identifier, Length, the 16-byte Authenticator and attributes; with
 * Message-Authenticator (RFC 3579 3.2, HMAC-MD5) and the response authenticator (RFC 2865 3).
 */
public record RadiusPacket(int code, int identifier, byte[] authenticator, List<RadiusAttribute> attributes) {
    public static final int ACCESS_REQUEST = 1;
    public static final int ACCESS_ACCEPT = 2;
    public static final int ACCESS_REJECT = 3;
    public static final int ACCESS_CHALLENGE = 11;
    /** RFC 2865: packets are 20 to 4096 bytes. */
    public static final int MIN_LENGTH = 20;
    public static final int MAX_LENGTH = 4096;

    public RadiusPacket {
        if (authenticator.length != 16) {
            throw new IllegalArgumentException("the RADIUS authenticator has 16 bytes");
        }
        if (code < 1 || code > 255 || identifier < 0 || identifier > 255) {
            throw new IllegalArgumentException("RADIUS code or identifier out of range");
        }
        authenticator = authenticator.clone();
        attributes = List.copyOf(attributes);
    }

    @Override
    public byte[] authenticator() {
        return authenticator.clone();
    }

    public static String codeName(int code) {
        return switch (code) {
            case ACCESS_REQUEST -> "Access-Request";
            case ACCESS_ACCEPT -> "Access-Accept";
            case ACCESS_REJECT -> "Access-Reject";
            case ACCESS_CHALLENGE -> "Access-Challenge";
            default -> "RADIUS code " + code;
        };
    }

    /** Parses a packet; trailing bytes after Length are padding and ignored (RFC 2865 3). */
    public static RadiusPacket parse(byte[] bytes) throws RadiusFormatException {
        if (bytes.length < MIN_LENGTH) {
            throw new RadiusFormatException("RADIUS packet of " + bytes.length + " bytes: the header alone has 20");
        }
        if (bytes[0] == 0) {
            throw new RadiusFormatException("RADIUS code 0 does not exist");
        }
        int length = ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        if (length < MIN_LENGTH || length > MAX_LENGTH || length > bytes.length) {
            throw new RadiusFormatException("RADIUS Length " + length + " outside 20..4096 or beyond the "
                    + bytes.length + " bytes received");
        }
        List<RadiusAttribute> attributes = new ArrayList<>();
        int pos = MIN_LENGTH;
        while (pos < length) {
            if (pos + 2 > length) {
                throw new RadiusFormatException("RADIUS attribute header cut off at offset " + pos);
            }
            int type = bytes[pos] & 0xff;
            int attributeLength = bytes[pos + 1] & 0xff;
            if (type == 0 || attributeLength < 2 || pos + attributeLength > length) {
                throw new RadiusFormatException("RADIUS attribute " + type + " at offset " + pos + " with Length "
                        + attributeLength + " does not fit the packet");
            }
            attributes.add(new RadiusAttribute(type, Arrays.copyOfRange(bytes, pos + 2, pos + attributeLength)));
            pos += attributeLength;
        }
        return new RadiusPacket(bytes[0] & 0xff, bytes[1] & 0xff, Arrays.copyOfRange(bytes, 4, 20), attributes);
    }

    public byte[] encode() {
        int length = MIN_LENGTH + attributes.stream().mapToInt(RadiusAttribute::encodedLength).sum();
        if (length > MAX_LENGTH) {
            throw new IllegalArgumentException("RADIUS packet of " + length + " bytes (at most 4096)");
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put((byte) code).put((byte) identifier).putShort((short) length).put(authenticator);
        for (RadiusAttribute a : attributes) {
            b.put((byte) a.type()).put((byte) a.encodedLength()).put(a.value());
        }
        return b.array();
    }

    /** The values of every attribute of {@code type}, in order. */
    public List<byte[]> values(int type) {
        return attributes.stream().filter(a -> a.type() == type).map(RadiusAttribute::value).toList();
    }

    /** The values of every attribute of {@code type}, joined (EAP-Message: RFC 3579 3.1). */
    public byte[] joined(int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        values(type).forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** This packet with its Message-Authenticator (which must be present, any value) set. */
    public RadiusPacket withMessageAuthenticator(byte[] secret) {
        return with(authenticator, messageAuthenticator(authenticator, secret));
    }

    /**
     * HMAC-MD5 over the packet with the Message-Authenticator zeroed and {@code authenticatorField} in
     * the Authenticator field (the request's authenticator when checking a response).
     */
    byte[] messageAuthenticator(byte[] authenticatorField, byte[] secret) {
        byte[] zeroed = with(authenticatorField, new byte[16]).encode();
        try {
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(secret, "HmacMD5"));
            return mac.doFinal(zeroed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-MD5 is not available", e);
        }
    }

    private RadiusPacket with(byte[] authenticatorField, byte[] messageAuthenticator) {
        List<RadiusAttribute> replaced = attributes.stream().map(a -> a.type() == RadiusAttribute.MESSAGE_AUTHENTICATOR
                ? new RadiusAttribute(a.type(), messageAuthenticator) : a).toList();
        return new RadiusPacket(code, identifier, authenticatorField, replaced);
    }

    /**
     * Checks a response to {@code request}: the identifier, the response authenticator
     * MD5(Code + ID + Length + RequestAuth + Attributes + Secret), and the Message-Authenticator, which
     * RFC 3579 3.2 requires in every response carrying EAP-Message.
     */
    public void verifyResponseTo(RadiusPacket request, byte[] secret) throws RadiusFormatException {
        if (identifier != request.identifier) {
            throw new RadiusFormatException("response identifier " + identifier + " does not match request "
                    + request.identifier);
        }
        byte[] expected = md5(new RadiusPacket(code, identifier, request.authenticator, attributes).encode(), secret);
        if (!MessageDigest.isEqual(expected, authenticator)) {
            throw new RadiusFormatException(codeName(code) + " with a wrong response authenticator: the shared "
                    + "secret differs from the server's, or the packet was altered");
        }
        List<byte[]> mac = values(RadiusAttribute.MESSAGE_AUTHENTICATOR);
        if (mac.isEmpty() && !values(RadiusAttribute.EAP_MESSAGE).isEmpty()) {
            throw new RadiusFormatException(codeName(code) + " carries EAP-Message without Message-Authenticator");
        }
        if (mac.size() > 1) {
            throw new RadiusFormatException(codeName(code) + " with " + mac.size() + " Message-Authenticators");
        }
        if (mac.size() == 1 && !MessageDigest.isEqual(mac.get(0), messageAuthenticator(request.authenticator, secret))) {
            throw new RadiusFormatException(codeName(code) + " with a wrong Message-Authenticator");
        }
    }

    static byte[] md5(byte[]... parts) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            for (byte[] p : parts) {
                md5.update(p);
            }
            return md5.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RadiusPacket p && Arrays.equals(p.encode(), encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return codeName(code) + " id=" + identifier + " " + attributes.size() + " attributes";
    }
}
