package org.tpmauth.eap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.tpmauth.eap.eapol.EapolFrame;

/**
 * Fuzzes the parsers of outside bytes: EAP packets, EAP-TLS fragments and EAPOL frames (anything parsed
 * encodes and parses back to the same), the reassembly of fragment sequences (only {@link EapTlsException}, never
 * more than the bound buffered), and the peer state machine fed arbitrary packets (nothing escapes).
 * Seeds live in resources/org/tpmauth/eap/EapFuzzTestInputs/METHOD/.
 */
class EapFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void packet(byte[] data) {
        EapPacket packet;
        try {
            packet = EapPacket.parse(data);
        } catch (EapFormatException expected) {
            return;
        }
        try {
            assertEquals(packet, EapPacket.parse(packet.encode()));
            if (packet.type() == EapPacket.TYPE_TLS) {
                EapTlsFragment f = EapTlsFragment.parse(packet.typeData());
                assertEquals(f, EapTlsFragment.parse(f.encode()));
            }
        } catch (EapFormatException e) {
            if (!e.getMessage().contains("Flags") && !e.getMessage().contains("TLS Message Length")) {
                throw new AssertionError("an encoded packet does not parse back: " + e.getMessage(), e);
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void eapolFrame(byte[] data) {
        EapolFrame frame;
        try {
            frame = EapolFrame.parse(data);
        } catch (EapFormatException expected) {
            return;
        }
        try {
            assertEquals(frame, EapolFrame.parse(frame.encode()));
        } catch (EapFormatException e) {
            throw new AssertionError("an encoded EAPOL frame does not parse back: " + e.getMessage(), e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void reassembly(FuzzedDataProvider data) {
        Reassembler reassembler = new Reassembler(4096);
        while (data.remainingBytes() > 0) {
            try {
                byte[] message = reassembler.add(EapTlsFragment.parse(data.consumeBytes(data.consumeInt(1, 2000))));
                assertTrue(message == null || message.length <= 4096);
            } catch (EapFormatException | EapTlsException expected) {
                return;
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void peer(FuzzedDataProvider data) throws Exception {
        EapTestKeys k = EapTestKeys.get();
        EapTlsPeer peer = new EapTlsPeer("fuzz", k.foreignClient, k.ca(),
                EapTlsConfig.defaults().withMaxMessageSize(4096));
        while (data.remainingBytes() > 0 && !peer.result().done()) {
            peer.receive(data.consumeBytes(data.consumeInt(0, 1500)));
        }
    }
}
