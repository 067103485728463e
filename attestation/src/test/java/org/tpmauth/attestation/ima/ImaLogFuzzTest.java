package org.tpmauth.attestation.ima;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import org.tpmauth.attestation.eventlog.EventLogFormatException;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.tss.types.TpmAlg;

/**
 * Fuzzes the IMA log reader (binary and ASCII), its replay and the allowlist: any input parses and is
 * judged, or fails with {@link EventLogFormatException}. Seeds in
 * resources/org/tpmauth/attestation/ima/ImaLogFuzzTestInputs/parse/.
 */
class ImaLogFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse(byte[] data) {
        ImaLog log;
        try {
            log = ImaLog.parse(data);
        } catch (EventLogFormatException expected) {
            return;
        }
        log.replay(List.of(TpmAlg.SHA1, TpmAlg.SHA256));
        ImaPolicy.evaluate(new RefState.Ima(null, List.of("/tmp/.*")), log);
    }
}
