package org.tpmauth.tss.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

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

    /**
     * Fuzzes the signed-policy reader ({@code policy.sig}): a policy either parses and survives a write
     * and re-read, or fails with {@link KeyFileFormatException}. Seeds in
     * Tss2KeyFileFuzzTestInputs/readSignedPolicy/.
     */
    @FuzzTest(maxDuration = "30s")
    void readSignedPolicy(byte[] data) {
        TpmAuthPolicy signed;
        try {
            signed = TpmAuthPolicy.fromPem(new String(data, StandardCharsets.ISO_8859_1));
        } catch (KeyFileFormatException expected) {
            return;
        }
        try {
            assertEquals(signed, TpmAuthPolicy.fromPem(signed.toPem()));
        } catch (KeyFileFormatException e) {
            throw new AssertionError("a signed policy read from outside bytes does not read back: " + e.getMessage(), e);
        }
    }
}
