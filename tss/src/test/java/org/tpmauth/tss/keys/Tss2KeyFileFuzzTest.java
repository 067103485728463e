package org.tpmauth.tss.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the key-file reader (PEM and DER): any input either parses to a key file that survives
 * a write and a re-read, or fails with {@link KeyFileFormatException} (which includes
 * {@link UnsupportedKeyFileException}). Anything else escaping is a finding. Seeds, and crashes
 * found while fuzzing, live in resources/org/tpmauth/tss/keys/Tss2KeyFileFuzzTestInputs/read/.
 */
class Tss2KeyFileFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void read(byte[] data) {
        Tss2KeyFile key;
        try {
            key = Tss2KeyFile.read(data);
        } catch (KeyFileFormatException expected) {
            return;
        }
        try {
            assertEquals(key, Tss2KeyFile.fromDer(key.toDer()));
            assertEquals(key, Tss2KeyFile.fromPem(key.toPem()));
        } catch (KeyFileFormatException e) {
            throw new AssertionError("a key file read from outside bytes does not read back: " + e.getMessage(), e);
        }
    }
}
