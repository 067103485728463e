package org.tpmauth.attestation.quote;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Fuzzes the evidence JSON reader (its in-place base64 decoding of the logs included) and the CBOR
 * reader (its in-place copy of the logs included): any input reads, and what it read writes and reads
 * back the same, or fails with IllegalArgumentException. Anything else escaping is a finding. Seeds in
 * resources/org/tpmauth/attestation/quote/EvidenceFuzzTestInputs/parse/ and parseCbor/.
 */
class EvidenceFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        survivesItsForm(data, Evidence::fromJson, Evidence::toJson, Evidence::fromJson);
    }

    @FuzzTest(maxDuration = "30s")
    void parseCbor(byte[] data) {
        survivesItsForm(data, Evidence::fromCbor, Evidence::toCbor, Evidence::fromCbor);
    }

    private static <F> void survivesItsForm(byte[] data, Function<byte[], Evidence> read, Function<Evidence, F> write,
            Function<F, Evidence> readBack) {
        Evidence ev;
        try {
            ev = read.apply(data);
        } catch (IllegalArgumentException expected) {
            return;
        }
        Evidence again = readBack.apply(write.apply(ev));
        if (!Arrays.equals(ev.quoted(), again.quoted()) || !Arrays.equals(ev.eventLog(), again.eventLog())
                || !Arrays.equals(ev.imaLog(), again.imaLog())) {
            throw new IllegalStateException("the evidence does not survive its own form");
        }
    }
}
