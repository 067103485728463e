package org.tpmauth.attest.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.tss.keys.KeyAlgorithm;

/** The formats of outside bytes the service reads: the CSR evidence attribute and the enrollment token. */
class EvidenceAttributeTest {
    @Test
    void evidenceAttributeRoundTrips() throws Exception {
        PKCS10CertificationRequest csr = TestEvidence.csr();
        EvidenceAttribute.Content c = EvidenceAttribute.read(EstMessages.readCsr(
                java.util.Base64.getMimeEncoder().encode(csr.getEncoded())));
        assertEquals(TestEvidence.keyEvidence().toJson(), c.evidence().toJson());
        assertTrue(c.akCertificate().getSubjectX500Principal().getName().contains("CN=tpm-test AK"));
    }

    @Test
    void jsonStatementOfEarlierMachinesIsRead() throws Exception {
        EvidenceAttribute.Content c = EvidenceAttribute.read(EstMessages.readCsr(
                java.util.Base64.getMimeEncoder().encode(TestEvidence.jsonStatementCsr().getEncoded())));
        assertEquals(TestEvidence.keyEvidence().toJson(), c.evidence().toJson());
    }

    @Test
    void keyEvidenceCborRoundTripsAndRefusesTruncation() {
        KeyEvidence e = TestEvidence.keyEvidence();
        byte[] cbor = e.toCbor();
        assertEquals(e.toJson(), KeyEvidence.fromCbor(cbor).toJson());
        assertThrows(IllegalArgumentException.class, () -> KeyEvidence.fromCbor(java.util.Arrays.copyOf(cbor,
                cbor.length - 1)));
        IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class, () -> KeyEvidence.fromCbor(
                java.util.Arrays.copyOf(cbor, 0)));
        assertTrue(noKey.getMessage().contains("CBOR"), noKey.getMessage());
    }

    @Test
    void tokenRoundTripsAndRefusesExpiryAndAnotherKey() throws Exception {
        SecretKey key = randomKey();
        var ak = AttestationKeys.template(KeyAlgorithm.EC_P256);
        ChallengeToken t = ChallengeToken.issue(Instant.now().plus(Duration.ofMinutes(1)), new byte[32], "tpm-x",
                "default", ak, ak);
        String sealed = t.seal(key);
        ChallengeToken opened = ChallengeToken.open(sealed, key, Instant.now());
        assertArrayEquals(t.id(), opened.id());
        assertEquals("tpm-x", opened.device());
        Refusal expired = assertThrows(Refusal.class, () -> ChallengeToken.open(sealed, key, Instant.now().plusSeconds(61)));
        assertTrue(expired.getMessage().contains("expired"), expired.getMessage());
        Refusal foreign = assertThrows(Refusal.class, () -> ChallengeToken.open(sealed, randomKey(), Instant.now()));
        assertTrue(foreign.getMessage().contains("another key"), foreign.getMessage());
        Refusal truncated = assertThrows(Refusal.class, () -> ChallengeToken.open(sealed.substring(0, 10), key,
                Instant.now()));
        assertEquals(400, truncated.status());
    }

    static SecretKey randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new SecretKeySpec(k, "AES");
    }
}
