package org.tpmauth.tss.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void skipPassesOverBytesWithinTheLimitOnly() {
        TpmReader in = new TpmReader(DATA, 2, 6);
        in.skip(4);
        assertEquals(0xfffe, in.u16());
        assertThrows(TpmFormatException.class, () -> in.skip(1));
        assertThrows(TpmFormatException.class, () -> new TpmReader(DATA).skip(-1));
        TpmReader whole = new TpmReader(DATA);
        whole.skip(DATA.length);
        assertEquals(0, whole.remaining());
    }
}
