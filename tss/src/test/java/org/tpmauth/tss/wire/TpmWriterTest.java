package org.tpmauth.tss.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TpmWriterTest {
    @Test
    void writesBigEndianFields() {
        byte[] out = new TpmWriter().u8(0x81).u16(0x8001).u32(0x0000015d).u64(0x0102030405060708L).bool(true)
                .sized(new byte[] {9, 8}).list(List.of(7, 6), TpmWriter::u8).toByteArray();
        assertArrayEquals(new byte[] {(byte) 0x81, (byte) 0x80, 1, 0, 0, 1, 0x5d, 1, 2, 3, 4, 5, 6, 7, 8, 1, 0, 2, 9, 8,
            0, 0, 0, 2, 7, 6}, out);
    }

    @Test
    void growsPastItsFirstBufferWithoutLosingBytes() {
        Random random = new Random(5);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        TpmWriter w = new TpmWriter();
        for (int i = 0; i < 2_000; i++) { // single bytes, words and blocks across every growth step
            switch (i % 3) {
                case 0 -> {
                    w.u8(i);
                    expected.write(i);
                }
                case 1 -> {
                    w.u32(i * 7919);
                    expected.writeBytes(new byte[] {(byte) (i * 7919 >>> 24), (byte) (i * 7919 >>> 16),
                        (byte) (i * 7919 >>> 8), (byte) (i * 7919)});
                }
                default -> {
                    byte[] block = new byte[random.nextInt(300)];
                    random.nextBytes(block);
                    w.bytes(block);
                    expected.writeBytes(block);
                }
            }
            assertEquals(expected.size(), w.size());
        }
        assertArrayEquals(expected.toByteArray(), w.toByteArray());
    }

    @Test
    void sizedStructPrefixesItsLength() {
        assertArrayEquals(new byte[] {0, 3, 1, 0, 2}, new TpmWriter().sizedStruct(in -> in.u8(1).u16(2)).toByteArray());
        assertArrayEquals(new byte[] {0, 0}, new TpmWriter().sizedStruct(in -> { }).toByteArray());
    }

    @Test
    void refusesAU16ThatDoesNotFit() {
        assertThrows(IllegalArgumentException.class, () -> new TpmWriter().u16(0x10000));
        assertThrows(IllegalArgumentException.class, () -> new TpmWriter().u16(-1));
    }
}
