package org.tpmauth.eap.radius;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RADIUS packets on hand-made bytes: parsing limits, the authenticator checks and tampering, MS-MPPE keys. */
class RadiusPacketTest {
    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);

    private static RadiusPacket request() {
        return new RadiusPacket(RadiusPacket.ACCESS_REQUEST, 7, new byte[16], List.of(
                new RadiusAttribute(RadiusAttribute.EAP_MESSAGE, new byte[] {2, 0, 0, 5, 1}),
                new RadiusAttribute(RadiusAttribute.MESSAGE_AUTHENTICATOR, new byte[16]))).withMessageAuthenticator(SECRET);
    }

    /** A response as a server signs it: Message-Authenticator over the request authenticator, then the MD5. */
    private static byte[] response(RadiusPacket request, int code, List<RadiusAttribute> attributes) {
        List<RadiusAttribute> all = new ArrayList<>(attributes);
        all.add(new RadiusAttribute(RadiusAttribute.MESSAGE_AUTHENTICATOR, new byte[16]));
        RadiusPacket unsigned = new RadiusPacket(code, request.identifier(), request.authenticator(), all);
        RadiusPacket withMac = unsigned.withMessageAuthenticator(SECRET);
        byte[] bytes = withMac.encode();
        byte[] auth = RadiusPacket.md5(bytes, SECRET);
        System.arraycopy(auth, 0, bytes, 4, 16);
        return bytes;
    }

    @Test
    void parsesWhatItEncodes() throws Exception {
        RadiusPacket r = request();
        assertEquals(r, RadiusPacket.parse(r.encode()));
        assertArrayEquals(new byte[] {2, 0, 0, 5, 1}, r.joined(RadiusAttribute.EAP_MESSAGE));
    }

    @Test
    void malformedPacketsAreRefused() {
        assertThrows(RadiusFormatException.class, () -> RadiusPacket.parse(new byte[19]));
        byte[] badLength = request().encode();
        badLength[3] = (byte) (badLength.length + 1);
        assertTrue(assertThrows(RadiusFormatException.class, () -> RadiusPacket.parse(badLength)).getMessage()
                .contains("Length"));
        byte[] badAttribute = request().encode();
        badAttribute[21] = (byte) 200;
        assertTrue(assertThrows(RadiusFormatException.class, () -> RadiusPacket.parse(badAttribute)).getMessage()
                .contains("does not fit"));
        byte[] zeroType = request().encode();
        zeroType[20] = 0;
        assertThrows(RadiusFormatException.class, () -> RadiusPacket.parse(zeroType));
        byte[] zeroCode = request().encode();
        zeroCode[0] = 0;
        assertTrue(assertThrows(RadiusFormatException.class, () -> RadiusPacket.parse(zeroCode)).getMessage()
                .contains("code 0"));
    }

    @Test
    void responseChecksCatchTamperingAndWrongSecrets() throws Exception {
        RadiusPacket request = request();
        byte[] good = response(request, RadiusPacket.ACCESS_CHALLENGE,
                List.of(new RadiusAttribute(RadiusAttribute.EAP_MESSAGE, new byte[] {1, 1, 0, 6, 13, 0x20})));
        RadiusPacket.parse(good).verifyResponseTo(request, SECRET);

        byte[] tampered = good.clone();
        tampered[tampered.length - 20] ^= 1; // inside the EAP-Message
        assertTrue(assertThrows(RadiusFormatException.class,
                () -> RadiusPacket.parse(tampered).verifyResponseTo(request, SECRET)).getMessage()
                .contains("wrong response authenticator"));
        assertThrows(RadiusFormatException.class,
                () -> RadiusPacket.parse(good).verifyResponseTo(request, "other".getBytes(StandardCharsets.UTF_8)));

        // a response whose MD5 is right but whose Message-Authenticator is not
        byte[] badMac = good.clone();
        badMac[badMac.length - 1] ^= 1;
        byte[] auth = RadiusPacket.md5(withAuthenticator(badMac, request.authenticator()), SECRET);
        System.arraycopy(auth, 0, badMac, 4, 16);
        assertTrue(assertThrows(RadiusFormatException.class,
                () -> RadiusPacket.parse(badMac).verifyResponseTo(request, SECRET)).getMessage()
                .contains("Message-Authenticator"));

        RadiusPacket other = new RadiusPacket(1, 8, new byte[16], List.of());
        assertTrue(assertThrows(RadiusFormatException.class,
                () -> RadiusPacket.parse(good).verifyResponseTo(other, SECRET)).getMessage().contains("identifier"));
    }

    private static byte[] withAuthenticator(byte[] packet, byte[] authenticator) {
        byte[] copy = packet.clone();
        System.arraycopy(authenticator, 0, copy, 4, 16);
        return copy;
    }

    @Test
    void decryptsMppeKeys() throws Exception {
        byte[] requestAuthenticator = new byte[16];
        for (int i = 0; i < 16; i++) {
            requestAuthenticator[i] = (byte) (i * 7);
        }
        byte[] recv = new byte[32];
        byte[] send = new byte[32];
        for (int i = 0; i < 32; i++) {
            recv[i] = (byte) i;
            send[i] = (byte) (100 + i);
        }
        RadiusPacket accept = new RadiusPacket(RadiusPacket.ACCESS_ACCEPT, 1, new byte[16], List.of(
                vsa(MppeKeys.MS_MPPE_SEND_KEY, encrypt(send, requestAuthenticator, (byte) 0x81)),
                vsa(MppeKeys.MS_MPPE_RECV_KEY, encrypt(recv, requestAuthenticator, (byte) 0x82))));
        byte[] msk = MppeKeys.msk(accept, requestAuthenticator, SECRET);
        assertArrayEquals(recv, java.util.Arrays.copyOfRange(msk, 0, 32));
        assertArrayEquals(send, java.util.Arrays.copyOfRange(msk, 32, 64));
        assertThrows(RadiusFormatException.class, () -> MppeKeys.msk(
                new RadiusPacket(RadiusPacket.ACCESS_ACCEPT, 1, new byte[16], List.of()), requestAuthenticator, SECRET));
        assertThrows(RadiusFormatException.class, () -> MppeKeys.decrypt(new byte[] {0, 1, 2}, requestAuthenticator, SECRET));
    }

    /** RFC 2548 2.4.2 encryption, the server's side. */
    private static byte[] encrypt(byte[] key, byte[] requestAuthenticator, byte salt) {
        byte[] plain = new byte[48];
        plain[0] = (byte) key.length;
        System.arraycopy(key, 0, plain, 1, key.length);
        byte[] out = new byte[50];
        out[0] = salt;
        out[1] = 0x11;
        byte[] previous = null;
        for (int i = 0; i < 48; i += 16) {
            byte[] b = previous == null ? RadiusPacket.md5(SECRET, requestAuthenticator, new byte[] {out[0], out[1]})
                    : RadiusPacket.md5(SECRET, previous);
            previous = new byte[16];
            for (int j = 0; j < 16; j++) {
                previous[j] = (byte) (plain[i + j] ^ b[j]);
            }
            System.arraycopy(previous, 0, out, 2 + i, 16);
        }
        return out;
    }

    private static RadiusAttribute vsa(int type, byte[] value) {
        return new RadiusAttribute(RadiusAttribute.VENDOR_SPECIFIC, ByteBuffer.allocate(6 + value.length)
                .putInt(MppeKeys.MICROSOFT).put((byte) type).put((byte) (2 + value.length)).put(value).array());
    }
}
