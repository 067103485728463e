package org.tpmauth.attestation.quote;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Fuzzes the evidence JSON reader (its in-place base64 decoding of the logs included) and the CBOR
 * reader: any input reads, and what it read writes and reads back the same, or fails with
 * IllegalArgumentException. Anything else escaping is a finding. Seeds in
 * resources/org/tpmauth/attestation/quote/EvidenceFuzzTestInputs/parse/ and parseCbor/.
 */
class EvidenceFuzzTest {
    /** The CBOR reader: the same rules (it shares the JSON reader's token loop). */
    @FuzzTest(maxDuration = "30s")
    void parseCbor(byte[] data) {
        Evidence ev;
        try {
            ev = Evidence.fromCbor(data);
        } catch (IllegalArgumentException expected) {
            return;
        }
        Evidence again = Evidence.fromCbor(ev.toCbor());
        if (!Arrays.equals(ev.quoted(), again.quoted()) || !Arrays.equals(ev.eventLog(), again.eventLog())
                || !Arrays.equals(ev.imaLog(), again.imaLog())) {
            throw new IllegalStateException("the evidence does not survive its CBOR form");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        Evidence ev;
        try {
            ev = Evidence.fromJson(data);
        } catch (IllegalArgumentException expected) {
            return;
        }
        Evidence again = Evidence.fromJson(ev.toJson());
        if (!Arrays.equals(ev.quoted(), again.quoted()) || !Arrays.equals(ev.eventLog(), again.eventLog())
                || !Arrays.equals(ev.imaLog(), again.imaLog())) {
            throw new IllegalStateException("the evidence does not survive its JSON form");
        }
    }
}
