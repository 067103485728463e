package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;

/** Round-trip and malformed-input checks shared by the structure tests. */
public final class WireAssertions {
    private WireAssertions() {
    }

    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** Reads {@code bytes} whole. */
    public static <T> T readAll(byte[] bytes, TpmReader.Reading<T> reader) {
        TpmReader in = new TpmReader(bytes);
        T value = reader.read(in);
        in.expectEnd();
        return value;
    }

    /**
     * Marshals {@code value}, reads it back whole, and checks the copy marshals to the same bytes;
     * then checks every truncation fails cleanly. Returns the copy.
     */
    public static <T extends TpmMarshallable> T roundTrip(T value, TpmReader.Reading<T> reader) {
        byte[] bytes = value.toBytes();
        T back = readAll(bytes, reader);
        assertArrayEquals(bytes, back.toBytes(), () -> "round trip of " + value);
        assertTruncationsFail(bytes, reader);
        return back;
    }

    /** Every proper prefix of {@code bytes} must give a TpmFormatException naming a TPM structure. */
    public static void assertTruncationsFail(byte[] bytes, TpmReader.Reading<?> reader) {
        for (int n = 0; n < bytes.length; n++) {
            byte[] prefix = Arrays.copyOf(bytes, n);
            TpmFormatException e = assertThrows(TpmFormatException.class, () -> readAll(prefix, reader),
                    "prefix of " + n + " bytes");
            assertTrue(e.structure().startsWith("TPM"), () -> "structure named: " + e.structure());
        }
    }

    /** Reading {@code bytes} must fail on structure {@code structure}. */
    public static TpmFormatException assertRejected(byte[] bytes, TpmReader.Reading<?> reader, String structure) {
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> readAll(bytes, reader));
        assertEquals(structure, e.structure(), e.getMessage());
        return e;
    }
}
