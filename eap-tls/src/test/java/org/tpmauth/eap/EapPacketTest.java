package org.tpmauth.eap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** EAP and EAP-TLS packet parsing, fragmentation and reassembly, on hand-made bytes. */
class EapPacketTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void parsesAndEncodesRequestsAndSuccess() throws Exception {
        EapPacket identity = EapPacket.parse(hex("01 07 0005 01"));
        assertEquals(EapPacket.Code.REQUEST, identity.code());
        assertEquals(7, identity.identifier());
        assertEquals(EapPacket.TYPE_IDENTITY, identity.type());
        assertArrayEquals(hex("01 07 0005 01"), identity.encode());
        EapPacket start = EapPacket.parse(hex("01 08 0006 0d 20 ff ff")); // padding after Length is ignored
        assertTrue(EapTlsFragment.parse(start.typeData()).start());
        assertEquals(EapPacket.success(9), EapPacket.parse(hex("03 09 0004")));
    }

    @Test
    void malformedPacketsNameTheProblem() {
        assertTrue(assertThrows(EapFormatException.class, () -> EapPacket.parse(hex("01 07 00")))
                .getMessage().contains("header"));
        assertTrue(assertThrows(EapFormatException.class, () -> EapPacket.parse(hex("01 07 0009 0d 00")))
                .getMessage().contains("exceeds"));
        assertTrue(assertThrows(EapFormatException.class, () -> EapPacket.parse(hex("05 07 0004")))
                .getMessage().contains("code 5"));
        assertTrue(assertThrows(EapFormatException.class, () -> EapPacket.parse(hex("03 07 0005 00")))
                .getMessage().contains("must be 4"));
        assertTrue(assertThrows(EapFormatException.class, () -> EapPacket.parse(hex("02 07 0004")))
                .getMessage().contains("no Type"));
        assertTrue(assertThrows(EapFormatException.class, () -> EapTlsFragment.parse(hex("80 00 01")))
                .getMessage().contains("TLS Message Length"));
        assertThrows(EapFormatException.class, () -> EapTlsFragment.parse(new byte[0]));
    }

    @Test
    void fragmentsRoundTripThroughTheReassembler() throws Exception {
        byte[] message = new byte[1000];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) i;
        }
        Fragmenter out = new Fragmenter(message, 300);
        Reassembler in = new Reassembler(4096);
        EapTlsFragment first = out.next();
        assertEquals(1000, first.totalLength());
        assertTrue(first.more());
        assertNull(in.add(EapTlsFragment.parse(first.encode())));
        byte[] whole = null;
        int count = 1;
        while (out.hasNext()) {
            EapTlsFragment f = out.next();
            count++;
            assertEquals(-1, f.totalLength());
            whole = in.add(EapTlsFragment.parse(f.encode()));
        }
        assertEquals(4, count);
        assertArrayEquals(message, whole);
        EapTlsFragment single = new Fragmenter(new byte[10], 300).next();
        assertEquals(-1, single.totalLength(), "an unfragmented message carries no L flag");
        assertTrue(EapTlsFragment.parse(EapTlsFragment.ack().encode()).isAck());
    }

    @Test
    void reassemblyRefusesInconsistentAndOversizedMessages() throws Exception {
        assertTrue(assertThrows(EapTlsException.class,
                () -> new Reassembler(4096).add(new EapTlsFragment(false, false, 5000, new byte[10])))
                .getMessage().contains("more than the 4096 accepted"));
        assertTrue(assertThrows(EapTlsException.class,
                () -> new Reassembler(4096).add(new EapTlsFragment(true, false, -1, new byte[10])))
                .getMessage().contains("without the L flag"));
        Reassembler r = new Reassembler(4096);
        r.add(new EapTlsFragment(true, false, 20, new byte[10]));
        assertTrue(assertThrows(EapTlsException.class, () -> r.add(new EapTlsFragment(true, false, -1, new byte[11])))
                .getMessage().contains("exceed the announced TLS Message Length 20"));
        Reassembler shortEnd = new Reassembler(4096);
        shortEnd.add(new EapTlsFragment(true, false, 20, new byte[10]));
        assertTrue(assertThrows(EapTlsException.class, () -> shortEnd.add(new EapTlsFragment(false, false, -1, new byte[5])))
                .getMessage().contains("announced 20"));
        Reassembler changed = new Reassembler(4096);
        changed.add(new EapTlsFragment(true, false, 20, new byte[10]));
        assertTrue(assertThrows(EapTlsException.class, () -> changed.add(new EapTlsFragment(false, false, 21, new byte[10])))
                .getMessage().contains("changed"));
        Reassembler unannounced = new Reassembler(2048);
        // a sender that (wrongly) leaves L off still cannot make us buffer more than the bound
        unannounced.add(new EapTlsFragment(true, false, 2000, new byte[1000]));
        assertThrows(EapTlsException.class, () -> unannounced.add(new EapTlsFragment(true, false, -1, new byte[1001])));
        assertTrue(assertThrows(EapTlsException.class, () -> new Reassembler(4096).add(EapTlsFragment.startFragment()))
                .getMessage().contains("Start"));
    }
}
