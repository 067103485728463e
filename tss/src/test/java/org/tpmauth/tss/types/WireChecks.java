package org.tpmauth.tss.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/** Round-trip and malformed-input checks shared by the marshalling tests. */
public final class WireChecks {
    private WireChecks() {
    }

    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** Reads all of {@code bytes} (nothing may be left over). */
    public static <T> T readAll(byte[] bytes, TpmReader.Reading<T> reader) {
        TpmReader in = new TpmReader(bytes);
        T value = reader.read(in);
        in.expectEnd();
        return value;
    }

    /**
     * Writes {@code value}, reads it back whole and writes the copy: both encodings must be the same.
     * Then every truncation of the encoding must fail cleanly. Returns the copy.
     */
    public static <T extends TpmMarshallable> T roundTrip(T value, TpmReader.Reading<T> reader) {
        byte[] first = value.toBytes();
        T back = readAll(first, reader);
        assertArrayEquals(first, back.toBytes(), () -> "re-marshalled bytes differ for " + value);
        everyTruncationFails(first, reader);
        return back;
    }

    /** Reads {@code encoded} and writes it again with {@code writer}: the bytes must be the same. */
    public static <T> T roundTrip(byte[] encoded, TpmReader.Reading<T> reader, BiConsumer<TpmWriter, T> writer) {
        T back = readAll(encoded, reader);
        assertArrayEquals(encoded, TpmWriter.marshal(w -> writer.accept(w, back)));
        return back;
    }

    /** Every proper prefix of {@code bytes} must fail with a TpmFormatException naming a TPM structure. */
    public static void everyTruncationFails(byte[] bytes, TpmReader.Reading<?> reader) {
        for (int len = 0; len < bytes.length; len++) {
            TpmReader in = new TpmReader(bytes, 0, len);
            int n = len;
            TpmFormatException e = assertThrows(TpmFormatException.class, () -> {
                reader.read(in);
                in.expectEnd();
            }, () -> "a prefix of " + n + " of " + bytes.length + " bytes was accepted: " + hex(bytes));
            assertTrue(e.structure().startsWith("TPM"), () -> "unnamed structure in: " + e.getMessage());
        }
    }

    /** Reading {@code bytes} must fail in {@code structure}. */
    public static TpmFormatException assertRejected(byte[] bytes, TpmReader.Reading<?> reader, String structure) {
        TpmFormatException e = assertThrows(TpmFormatException.class, () -> readAll(bytes, reader));
        assertEquals(structure, e.structure(), e.getMessage());
        return e;
    }

    /** Reading {@code bytes} fails in {@code structure} with a message containing {@code words}. */
    public static TpmFormatException failsIn(String structure, String words, byte[] bytes, TpmReader.Reading<?> reader) {
        TpmFormatException e = assertRejected(bytes, reader, structure);
        assertTrue(e.getMessage().contains(words), () -> "expected '" + words + "' in: " + e.getMessage());
        return e;
    }

    /** Marshals with a lambda (for the static list writers). */
    public static byte[] marshal(Consumer<TpmWriter> body) {
        return TpmWriter.marshal(body);
    }
}
