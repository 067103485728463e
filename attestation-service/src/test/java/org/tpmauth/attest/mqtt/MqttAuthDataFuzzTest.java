package org.tpmauth.attest.mqtt;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.tpmauth.attest.service.Refusal;

/**
 * Fuzzes the authentication data a broker reads from a CONNECT: anything but a {@link Refusal} escaping
 * {@link MqttAuthData#decode} is a finding. Seeds: resources/org/tpmauth/attest/mqtt/MqttAuthDataFuzzTestInputs/.
 */
class MqttAuthDataFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void decode(byte[] data) {
        try {
            var frame = MqttAuthData.decode(data);
            org.tpmauth.attestation.quote.Evidence.fromJson(frame.path("evidence").toString());
        } catch (Refusal | IllegalArgumentException expected) {
            // refused with a reason
        }
    }
}
