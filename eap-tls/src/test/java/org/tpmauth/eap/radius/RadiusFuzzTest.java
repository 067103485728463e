package org.tpmauth.eap.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the RADIUS parser and what reads a response: any input either parses (and encodes back to the
 * same packet) or fails with {@link RadiusFormatException}; the response checks and the MS-MPPE key
 * reader fail with that exception only. Seeds: resources/org/tpmauth/eap/radius/RadiusFuzzTestInputs/.
 */
class RadiusFuzzTest {
    private static final byte[] SECRET = "secret".getBytes(StandardCharsets.UTF_8);
    private static final RadiusPacket REQUEST = new RadiusPacket(RadiusPacket.ACCESS_REQUEST, 1, new byte[16],
            java.util.List.of());

    @FuzzTest(maxDuration = "30s")
    void response(byte[] data) {
        RadiusPacket packet;
        try {
            packet = RadiusPacket.parse(data);
        } catch (RadiusFormatException expected) {
            return;
        }
        assertEquals(packet, reparse(packet));
        try {
            packet.verifyResponseTo(REQUEST, SECRET);
        } catch (RadiusFormatException expected) {
            // a wrong authenticator is the usual outcome
        }
        try {
            MppeKeys.msk(packet, new byte[16], SECRET);
        } catch (RadiusFormatException expected) {
            // missing or malformed keys
        }
    }

    private static RadiusPacket reparse(RadiusPacket packet) {
        try {
            return RadiusPacket.parse(packet.encode());
        } catch (RadiusFormatException e) {
            throw new AssertionError("an encoded packet does not parse back: " + e.getMessage(), e);
        }
    }
}
