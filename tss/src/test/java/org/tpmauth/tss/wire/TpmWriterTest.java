package org.tpmauth.tss.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TpmWriterTest {
    @Test
    void writesWhatAByteStreamWouldAcrossItsGrowth() {
        Random random = new Random(7);
        for (int capacity : new int[] {1, 3, 32, 1000}) {
            TpmWriter w = new TpmWriter(capacity);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 0; i < 300; i++) {
                int v = random.nextInt();
                switch (random.nextInt(4)) {
                    case 0 -> {
                        w.u8(v);
                        expected.write(v);
                    }
                    case 1 -> {
                        w.u16(v & 0xffff);
                        expected.write(v >>> 8);
                        expected.write(v);
                    }
                    case 2 -> {
                        w.u32(v);
                        for (int shift = 24; shift >= 0; shift -= 8) {
                            expected.write(v >>> shift);
                        }
                    }
                    default -> {
                        byte[] b = new byte[random.nextInt(70)];
                        random.nextBytes(b);
                        w.bytes(b);
                        expected.write(b, 0, b.length);
                    }
                }
                assertEquals(expected.size(), w.size());
            }
            assertArrayEquals(expected.toByteArray(), w.toByteArray());
        }
    }

    @Test
    void aCopyIsACopy() {
        TpmWriter w = new TpmWriter(4).u32(0x01020304);
        byte[] first = w.toByteArray();
        first[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3, 4}, w.toByteArray(), "the caller's change is not the writer's");
        assertNotSame(first, w.toByteArray());
        w.u8(5);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, w.toByteArray());
    }

    @Test
    void marshalWithTheExactOrAWrongCapacityGivesTheSameBytes() {
        byte[] expected = {0, 2, 7, 8, 0, 0, 0, 1};
        for (int capacity : new int[] {1, 7, 8, 9, 64}) {
            assertArrayEquals(expected, TpmWriter.marshal(capacity, w -> w.sized(new byte[] {7, 8}).u32(1)));
        }
        assertArrayEquals(new byte[0], TpmWriter.marshal(w -> { }));
        assertThrows(IllegalArgumentException.class, () -> new TpmWriter(0));
    }

    @Test
    void anotherWritersBytesAndSizedStructures() {
        TpmWriter inner = new TpmWriter().u16(0x0102).u8(3);
        assertArrayEquals(new byte[] {9, 1, 2, 3}, new TpmWriter().u8(9).bytes(inner).toByteArray());
        assertArrayEquals(new byte[] {0, 3, 1, 2, 3}, new TpmWriter().sizedStruct(w -> w.bytes(inner)).toByteArray());
        assertThrows(IllegalArgumentException.class, () -> new TpmWriter().sizedStruct(w -> w.bytes(new byte[70000])));
        assertThrows(IllegalArgumentException.class, () -> new TpmWriter().u16(0x10000));
    }
}
