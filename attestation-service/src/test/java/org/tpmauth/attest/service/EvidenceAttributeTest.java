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
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.tpmauth.attest.testing.ServiceFixture;
import org.junit.jupiter.api.Test;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.tss.keys.KeyAlgorithm;

/** The formats of outside bytes the service reads: the CSR attestation attribute and the enrollment token. */
class EvidenceAttributeTest {
    @Test
    void evidenceAttributeRoundTrips() throws Exception {
        PKCS10CertificationRequest csr = TestEvidence.csr();
        EvidenceAttribute.Content c = EvidenceAttribute.read(EstMessages.readCsr(
                java.util.Base64.getMimeEncoder().encode(csr.getEncoded())));
        assertEquals(TestEvidence.keyEvidence().toJson(), c.evidence().toJson());
        assertTrue(c.akCertificate().getSubjectX500Principal().getName().contains("CN=tpm-test AK"));
    }

    /** draft-ietf-lamps-csr-attestation-29: one AttestationBundle {attestations, certs} under id-aa 59. */
    @Test
    void attributeHasTheDraftsLayout() throws Exception {
        PKCS10CertificationRequest csr = TestEvidence.csr();
        Attribute[] attributes = csr.getAttributes(new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.2.59"));
        assertEquals(1, attributes.length);
        assertEquals(1, attributes[0].getAttrValues().size());
        ASN1Sequence bundle = ASN1Sequence.getInstance(attributes[0].getAttrValues().getObjectAt(0));
        assertEquals(2, bundle.size());
        ASN1Sequence statement = ASN1Sequence.getInstance(ASN1Sequence.getInstance(bundle.getObjectAt(0)).getObjectAt(0));
        assertEquals(EvidenceAttribute.STATEMENT_TYPE_CBOR, statement.getObjectAt(0));
        assertTrue(statement.getObjectAt(1) instanceof ASN1OctetString);
        // certs: CertificateChoices' untagged certificate alternative, i.e. a plain X.509 Certificate
        Certificate ak = Certificate.getInstance(ASN1Sequence.getInstance(bundle.getObjectAt(1)).getObjectAt(0));
        assertTrue(ak.getSubject().toString().contains("CN=tpm-test AK"), ak.getSubject().toString());
    }

    @Test
    void olderDraftLayoutIsRefusedAsMalformed() throws Exception {
        // draft -12's EvidenceBundles: a SEQUENCE OF bundles around the bundle, the certificate tagged [0]
        PKCS10CertificationRequest csr = TestEvidence.csr();
        ASN1Sequence bundle = ASN1Sequence.getInstance(csr.getAttributes(EvidenceAttribute.ID_AA_ATTESTATION)[0]
                .getAttrValues().getObjectAt(0));
        var old = new DERSequence(new DERSequence(new ASN1Encodable[] {bundle.getObjectAt(0), new DERSequence(
                new DERTaggedObject(false, 0, ASN1Sequence.getInstance(bundle.getObjectAt(1)).getObjectAt(0)))}));
        var key = ServiceFixture.ecKeyPair();
        PKCS10CertificationRequest oldCsr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=tpm-test"),
                key.getPublic()).addAttribute(EvidenceAttribute.ID_AA_ATTESTATION, old)
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
        Refusal r = assertThrows(Refusal.class, () -> EvidenceAttribute.read(oldCsr));
        assertEquals(400, r.status());
        assertTrue(r.getMessage().contains("attestation attribute is malformed"), r.getMessage());
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
    void keyEvidenceJsonBytesRoundTripAndRefuseTruncationAndMissingFields() {
        KeyEvidence e = TestEvidence.keyEvidence();
        byte[] json = e.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(e.toJson(), KeyEvidence.fromJson(json).toJson());
        assertThrows(IllegalArgumentException.class, () -> KeyEvidence.fromJson(java.util.Arrays.copyOf(json,
                json.length - 1)));
        com.fasterxml.jackson.databind.node.ObjectNode noKey = e.toJsonNode();
        noKey.remove("keyPublic");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> KeyEvidence.fromJson(
                noKey.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(missing.getMessage().contains("\"keyPublic\""), missing.getMessage());
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
