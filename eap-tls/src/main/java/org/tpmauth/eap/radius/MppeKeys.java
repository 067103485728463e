package org.tpmauth.eap.radius;

import java.nio.ByteBuffer;
import java.util.Arrays;


/**
 * MS-MPPE-Recv-Key and MS-MPPE-Send-Key (RFC 2548 2.4.2 / 2.4.3, vendor 311, types 17 and 16) from an
 * Access-Accept, decrypted with the shared secret and the request authenticator. For EAP-TLS the
 * Recv-Key is MSK[0..31] and the Send-Key MSK[32..63] (RFC 5216 2.3, RFC 3748 keying as hostapd does).
 */
public final class MppeKeys {
    static final int MICROSOFT = 311;
    static final int MS_MPPE_SEND_KEY = 16;
    static final int MS_MPPE_RECV_KEY = 17;

    private MppeKeys() {
    }

    /** The 64-byte MSK the server sent (Recv-Key || Send-Key). */
    public static byte[] msk(RadiusPacket accept, byte[] requestAuthenticator, byte[] secret)
            throws RadiusFormatException {
        byte[] recv = decrypt(vendorAttribute(accept, MS_MPPE_RECV_KEY, "MS-MPPE-Recv-Key"), requestAuthenticator, secret);
        byte[] send = decrypt(vendorAttribute(accept, MS_MPPE_SEND_KEY, "MS-MPPE-Send-Key"), requestAuthenticator, secret);
        byte[] msk = new byte[recv.length + send.length];
        System.arraycopy(recv, 0, msk, 0, recv.length);
        System.arraycopy(send, 0, msk, recv.length, send.length);
        return msk;
    }

    /** The value of Microsoft vendor attribute {@code vendorType} inside Vendor-Specific (RFC 2865 5.26). */
    static byte[] vendorAttribute(RadiusPacket packet, int vendorType, String name) throws RadiusFormatException {
        for (byte[] vsa : packet.values(RadiusAttribute.VENDOR_SPECIFIC)) {
            if (vsa.length < 6 || ByteBuffer.wrap(vsa).getInt() != MICROSOFT) {
                continue;
            }
            int pos = 4;
            while (pos + 2 <= vsa.length) {
                int type = vsa[pos] & 0xff;
                int length = vsa[pos + 1] & 0xff;
                if (length < 2 || pos + length > vsa.length) {
                    throw new RadiusFormatException("Microsoft vendor attribute " + type + " does not fit its Vendor-Specific");
                }
                if (type == vendorType) {
                    return Arrays.copyOfRange(vsa, pos + 2, pos + length);
                }
                pos += length;
            }
        }
        throw new RadiusFormatException(RadiusPacket.codeName(packet.code()) + " without " + name);
    }

    /**
     * RFC 2548 2.4.2: Salt (2 bytes, high bit set) then the encrypted String; b(1) = MD5(S + R + A),
     * c(i) = p(i) xor b(i), b(i) = MD5(S + c(i-1)); the plaintext is Key-Length, the key, and padding.
     */
    static byte[] decrypt(byte[] value, byte[] requestAuthenticator, byte[] secret) throws RadiusFormatException {
        if (value.length < 18 || (value.length - 2) % 16 != 0 || (value[0] & 0x80) == 0) {
            throw new RadiusFormatException("MS-MPPE key attribute of " + value.length + " bytes is malformed");
        }
        byte[] salt = Arrays.copyOfRange(value, 0, 2);
        byte[] plain = new byte[value.length - 2];
        byte[] previous = null;
        for (int i = 2; i < value.length; i += 16) {
            byte[] b = previous == null ? RadiusPacket.md5(secret, requestAuthenticator, salt) : RadiusPacket.md5(secret, previous);
            previous = Arrays.copyOfRange(value, i, i + 16);
            for (int j = 0; j < 16; j++) {
                plain[i - 2 + j] = (byte) (previous[j] ^ b[j]);
            }
        }
        int keyLength = plain[0] & 0xff;
        if (keyLength + 1 > plain.length) {
            throw new RadiusFormatException("MS-MPPE key length " + keyLength + " exceeds the attribute: wrong secret?");
        }
        return Arrays.copyOfRange(plain, 1, 1 + keyLength);
    }

}
