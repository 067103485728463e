package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.tpmauth.tss.types.WireChecks.failsIn;
import static org.tpmauth.tss.types.WireChecks.hex;
import static org.tpmauth.tss.types.WireChecks.roundTrip;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tpmauth.tss.wire.TpmWriter;

/** PcrBitmap and the structures that carry one: TPMS_PCR_SELECTION, TPMS_TAGGED_PCR_SELECT. */
class PcrSelectionTest {
    @Test
    void bitIOfByteJIsPcr8jPlusI() {
        byte[] map = PcrBitmap.of(4, List.of(0, 7, 8, 23, 31));
        assertArrayEquals(hex("81 01 80 80"), map);
        assertEquals(List.of(0, 7, 8, 23, 31), List.copyOf(PcrBitmap.indices(map)));
        assertEquals(List.of(), List.copyOf(PcrBitmap.indices(new byte[3])));
    }

    @Test
    void ofSelectsPcrsOfTheThreeByteBitmap() {
        TpmsPcrSelection s = TpmsPcrSelection.of(TpmAlg.SHA256, 23, 0, 7);
        assertArrayEquals(hex("000b 03 810080"), s.toBytes());
        assertEquals(List.of(0, 7, 23), List.copyOf(s.pcrs()));
        assertEquals("sha256:[0, 7, 23]", s.toString());
        assertEquals(s.toString(), roundTrip(s, TpmsPcrSelection::read).toString());
    }

    @Test
    void pcrsOutsideTheBitmapAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TpmsPcrSelection.of(TpmAlg.SHA1, 24));
        assertEquals("PCR index 24 does not fit a 3-byte bitmap", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TpmsPcrSelection.of(TpmAlg.SHA1, -1));
        assertThrows(IllegalArgumentException.class, () -> PcrBitmap.of(PcrBitmap.MAX_SIZE + 1, List.of()));
    }

    @Test
    void structuresRefuseBitmapsLargerThanAnyTpms() {
        byte[] tooLarge = new byte[PcrBitmap.MAX_SIZE + 1];
        assertThrows(IllegalArgumentException.class, () -> new TpmsPcrSelection(TpmAlg.SHA256, tooLarge));
        assertThrows(IllegalArgumentException.class, () -> new TpmsTaggedPcrSelect(TpmPtPcr.EXTEND_L0, tooLarge));
        byte[] largest = new byte[PcrBitmap.MAX_SIZE];
        largest[PcrBitmap.MAX_SIZE - 1] = (byte) 0x80;
        assertEquals(List.of(255), List.copyOf(roundTrip(new TpmsPcrSelection(TpmAlg.SHA256, largest),
                TpmsPcrSelection::read).pcrs()));

        byte[] wire = TpmWriter.marshal(w -> w.u16(TpmAlg.SHA256.id()).u8(33).bytes(tooLarge));
        failsIn("TPMS_PCR_SELECTION", "sizeofSelect 33", wire, TpmsPcrSelection::read);
    }

    @Test
    void taggedSelectRoundTrips() {
        TpmsTaggedPcrSelect s = new TpmsTaggedPcrSelect(TpmPtPcr.RESET_L0, PcrBitmap.of(3, List.of(16, 23)));
        assertArrayEquals(hex("00000002 03 000081"), s.toBytes());
        assertEquals(List.of(16, 23), List.copyOf(roundTrip(s, TpmsTaggedPcrSelect::read).pcrs()));
    }
}
