package org.tpmauth.eap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.keys.KeyAlgorithm;

/** The peer's and the authenticator's answers to unexpected, out-of-order and repeated packets. */
class EapStateMachineTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static EapTlsPeer peer() throws Exception {
        EapTestKeys k = EapTestKeys.get();
        return new EapTlsPeer("device", k.tpmClient(KeyAlgorithm.EC_P256), k.ca(), EapTlsConfig.defaults());
    }

    private static EapTlsAuthenticator authenticator() throws Exception {
        EapTestKeys k = EapTestKeys.get();
        return new EapTlsAuthenticator(k.server, k.ca(), EapTlsConfig.defaults(), PeerPolicy.ACCEPT_ALL);
    }

    private static String failure(EapResult r) {
        return assertInstanceOf(EapResult.Failure.class, r).reason();
    }

    @Test
    void peerAnswersIdentityNotificationAndNaksOtherMethods() throws Exception {
        EapTlsPeer peer = peer();
        assertArrayEquals(hex("02 01 000b 01 646576696365"), peer.receive(hex("01 01 0005 01")).orElseThrow());
        assertArrayEquals(hex("02 02 0005 02"), peer.receive(hex("01 02 0008 02 686921")).orElseThrow());
        assertArrayEquals(hex("02 03 0006 03 0d"), peer.receive(hex("01 03 0005 1a")).orElseThrow(), "Nak: EAP-TLS");
        // a retransmitted request gets the same response again
        assertArrayEquals(hex("02 03 0006 03 0d"), peer.receive(hex("01 03 0005 1a")).orElseThrow());
        assertEquals(EapResult.PENDING, peer.result());
    }

    @Test
    void peerFailsOnOutOfOrderAndMalformedPackets() throws Exception {
        EapTlsPeer early = peer();
        assertEquals(Optional.empty(), early.receive(hex("03 01 0004")));
        assertTrue(failure(early.result()).contains("EAP-Success before the TLS handshake"));

        EapTlsPeer noStart = peer();
        noStart.receive(hex("01 01 0006 0d 00"));
        assertTrue(failure(noStart.result()).contains("before the EAP-TLS Start"));

        EapTlsPeer truncated = peer();
        truncated.receive(hex("01 01 0010 0d"));
        assertTrue(failure(truncated.result()).contains("malformed EAP packet"));

        EapTlsPeer twoStarts = peer();
        assertTrue(twoStarts.receive(hex("01 01 0006 0d 20")).isPresent());
        twoStarts.receive(hex("01 02 0006 0d 20"));
        assertTrue(failure(twoStarts.result()).contains("second EAP-TLS Start"));

        EapTlsPeer oversized = peer();
        oversized.receive(hex("01 01 0006 0d 20"));
        oversized.receive(hex("01 02 000a 0d c0 7fffffff"));
        assertTrue(failure(oversized.result()).contains("more than the"), failure(oversized.result()));

        EapTlsPeer garbage = peer();
        garbage.receive(hex("01 01 0006 0d 20"));
        assertTrue(garbage.receive(hex("01 02 000f 0d 00 1603030004 02000000")).isPresent(), () -> "the alert is sent: " + garbage.result());
        garbage.receive(hex("04 02 0004"));
        assertTrue(failure(garbage.result()).contains("TLS failed"), failure(garbage.result()));
    }

    @Test
    void authenticatorFailsOnWrongIdentifiersAndUnexpectedResponses() throws Exception {
        EapTlsAuthenticator wrongId = authenticator();
        int id = wrongId.start()[1] & 0xff;
        byte[] answer = wrongId.receive(new byte[] {2, (byte) (id + 1), 0, 5, 1});
        assertEquals(4, answer[0], "EAP-Failure");
        assertTrue(failure(wrongId.result()).contains("does not answer request"));

        EapTlsAuthenticator nak = authenticator();
        id = nak.start()[1] & 0xff;
        nak.receive(new byte[] {2, (byte) id, 0, 6, 3, 26});
        assertTrue(failure(nak.result()).contains("Nak"));

        EapTlsAuthenticator earlyAck = authenticator();
        id = earlyAck.start()[1] & 0xff;
        byte[] start = earlyAck.receive(new byte[] {2, (byte) id, 0, 6, 1, 'x'});
        assertEquals(0x20, start[5], "EAP-TLS Start");
        earlyAck.receive(new byte[] {2, start[1], 0, 6, 13, 0});
        assertTrue(failure(earlyAck.result()).contains("empty EAP-TLS response in the middle"));

        EapTlsAuthenticator garbage = authenticator();
        id = garbage.start()[1] & 0xff;
        start = garbage.receive(new byte[] {2, (byte) id, 0, 6, 1, 'x'});
        byte[] end = garbage.receive(new byte[] {2, start[1], 0, 15, 13, 0, 0x16, 3, 1, 0, 4, 1, 0, 0, 0});
        if (end[0] == 1) { // an alert for the peer, acknowledged before the Failure
            end = garbage.receive(new byte[] {2, end[1], 0, 6, 13, 0});
        }
        assertEquals(4, end[0]);
        assertTrue(failure(garbage.result()).contains("TLS failed"));
    }

    @Test
    void authenticatorRetransmitsThenGivesUp() throws Exception {
        EapTlsAuthenticator a = authenticator();
        byte[] first = a.start();
        for (int i = 0; i < EapTlsAuthenticator.MAX_RETRANSMISSIONS; i++) {
            assertArrayEquals(first, a.retransmit());
        }
        byte[] last = a.retransmit();
        assertEquals(4, last[0]);
        assertTrue(failure(a.result()).contains("did not answer"));
    }

    @Test
    void peerIgnoresPacketsAfterTheEnd() throws Exception {
        EapTlsPeer peer = peer();
        peer.receive(hex("04 01 0004"));
        assertTrue(failure(peer.result()).contains("EAP-Failure"));
        assertEquals(Optional.empty(), peer.receive(hex("01 01 0005 01")));
    }
}
