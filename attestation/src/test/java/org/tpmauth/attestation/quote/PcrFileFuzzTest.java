package org.tpmauth.attestation.quote;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Fuzzes the reader of tpm2_quote's PCR files: any input reads, and writes back to the same bytes up to
 * the padding and unused slots the tools leave as they are, or fails with IllegalArgumentException.
 * Seeds in resources/org/tpmauth/attestation/quote/PcrFileFuzzTestInputs/parse/.
 */
class PcrFileFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        PcrFile file;
        try {
            file = PcrFile.parse(data);
        } catch (IllegalArgumentException expected) {
            return;
        }
        PcrFile again = PcrFile.parse(file.toBytes());
        if (!again.selection().toString().equals(file.selection().toString())
                || !again.values().banks().keySet().equals(file.values().banks().keySet())) {
            throw new IllegalStateException("a PCR file does not survive writing: " + Arrays.toString(data));
        }
    }
}
