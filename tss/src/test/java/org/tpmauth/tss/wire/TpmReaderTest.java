package org.tpmauth.tss.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TpmReaderTest {
    private static final byte[] DATA = {(byte) 0x80, 0x01, 0x00, 0x00, 0x00, 0x0c, (byte) 0xff, (byte) 0xfe, 0x01, 0x02};

    @Test
    void u32AtReadsWhatAReaderReads() {
        for (int offset = 0; offset <= DATA.length - 4; offset++) {
            assertEquals(new TpmReader(DATA, offset, 4).u32(), TpmReader.u32At(DATA, offset), "offset " + offset);
        }
        assertEquals(0xfffe0102, TpmReader.u32At(DATA, 6));
    }

    @Test
    void u32AtOutsideTheArrayFailsAsAReaderOverThatRangeDoes() {
        for (int offset : new int[] {-1, DATA.length - 3, DATA.length, Integer.MAX_VALUE}) {
            IllegalArgumentException reader = assertThrows(IllegalArgumentException.class,
                    () -> new TpmReader(DATA, offset, 4).u32());
            IllegalArgumentException direct = assertThrows(IllegalArgumentException.class,
                    () -> TpmReader.u32At(DATA, offset));
            assertEquals(reader.getMessage(), direct.getMessage());
        }
    }

    @Test
    void structureNamesNestAndUnwindAtAnyDepth() {
        TpmReader in = new TpmReader(DATA);
        assertEquals("data", in.structure());
        for (int depth = 1; depth <= 12; depth++) { // past the first array of names and its growth
            in.enter("s" + depth);
            assertEquals("s" + depth, in.structure());
        }
        for (int depth = 12; depth >= 1; depth--) {
            assertEquals("s" + depth, in.structure());
            in.leave();
        }
        assertEquals("data", in.structure());
        assertThrows(IllegalStateException.class, in::leave);
        in.enter("outer").enter("inner");
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> in.bytes(11));
        assertTrue(e.getMessage().contains("inner"), e.getMessage());
    }

    @Test
    void skipIsCheckedAsBytesIs() {
        TpmReader in = new TpmReader(DATA).enter("header");
        in.skip(6);
        assertEquals(6, in.position());
        assertThrows(TpmFormatException.class, () -> in.skip(5));
        assertThrows(TpmFormatException.class, () -> in.skip(-1));
        assertEquals(6, in.position(), "a failed skip moves nothing");
        in.skip(4);
        assertEquals(0, in.remaining());
    }
}
