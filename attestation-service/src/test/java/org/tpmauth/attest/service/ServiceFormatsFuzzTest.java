package org.tpmauth.attest.service;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Fuzzes what the service reads from machines: an EST request body (base64 PKCS#10) and its evidence
 * attribute, the evidence frame at the start of an attested TLS connection, and the enrollment token, both as a machine may alter it (outer layer) and as its sealed
 * payload would parse if a key were shared with something else (inner layer). Anything but a
 * {@link Refusal} escaping is a finding. Seeds: resources/org/tpmauth/attest/service/ServiceFormatsFuzzTestInputs/.
 */
class ServiceFormatsFuzzTest {
    private static final SecretKey KEY = new SecretKeySpec(new byte[32], "AES");

    @FuzzTest(maxDuration = "30s")
    void csrEvidence(byte[] der) {
        try {
            EvidenceAttribute.read(EstMessages.readCsr(Base64.getMimeEncoder().encode(der)));
        } catch (Refusal expected) {
            // refused with a reason
        }
    }

    @FuzzTest(maxDuration = "30s")
    void evidenceFrame(byte[] data) throws java.io.IOException {
        try {
            var frame = EvidenceFrame.read(new java.io.ByteArrayInputStream(data));
            org.tpmauth.attestation.quote.Evidence.fromJson(frame.path("evidence").toString());
        } catch (Refusal | IllegalArgumentException expected) {
            // refused with a reason
        }
    }

    @FuzzTest(maxDuration = "30s")
    void tokenPayload(byte[] payload) {
        try {
            ChallengeToken.open(ChallengeToken.sealPayload(payload, KEY), KEY, Instant.EPOCH);
            ChallengeToken.open(new String(payload, java.nio.charset.StandardCharsets.ISO_8859_1), KEY, Instant.EPOCH);
        } catch (Refusal expected) {
            // refused with a reason
        }
    }
}
