package org.tpmauth.attest.service;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.tpmauth.attest.testing.ServiceFixture;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.attestation.keycert.KeyCertification;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.quote.PcrValues;
import org.tpmauth.attestation.testing.TestCa;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtSignature;

/** Well-formed (not TPM-made) evidence and CSRs, for format round trips and fuzz seeds. */
final class TestEvidence {
    private TestEvidence() {
    }

    static KeyEvidence keyEvidence() {
        SortedMap<Integer, byte[]> bank = new TreeMap<>(Map.of(0, new byte[32], 7, new byte[32]));
        Map<TpmAlg, SortedMap<Integer, byte[]>> banks = new LinkedHashMap<>(Map.of(TpmAlg.SHA256, bank));
        TpmtSignature sig = new TpmtSignature.Ecc(TpmAlg.ECDSA, TpmAlg.SHA256, new byte[32], new byte[32]);
        return new KeyEvidence(new Evidence(new byte[] {(byte) 0xff, 0x54, 0x43, 0x47}, sig, new PcrValues(banks),
                new byte[] {1, 2, 3}), AttestationKeys.template(KeyAlgorithm.EC_P256),
                new KeyCertification.Evidence(new byte[] {(byte) 0xff, 0x54, 0x43, 0x47}, sig));
    }

    /** A CSR signed by a software key, carrying {@link #keyEvidence()} and an AK certificate. */
    static PKCS10CertificationRequest csr() throws Exception {
        return csr(ak -> EvidenceAttribute.bundle(keyEvidence(), ak));
    }

    /** The same CSR with the evidence as earlier machines sent it: a KeyEvidence JSON statement. */
    static PKCS10CertificationRequest jsonStatementCsr() throws Exception {
        return csr(ak -> EvidenceAttribute.bundle(EvidenceAttribute.STATEMENT_TYPE,
                keyEvidence().toJson().getBytes(StandardCharsets.UTF_8), ak));
    }

    private static PKCS10CertificationRequest csr(Function<X509Certificate, ASN1Encodable> attribute) throws Exception {
        KeyPair key = ServiceFixture.ecKeyPair();
        TestCa ca = TestCa.root("test");
        X509Certificate ak = new CertificateAuthority(ca.key(), ca.certificate(), Duration.ofHours(1), null)
                .issueAk(key.getPublic(), "tpm-test", "default");
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=tpm-test"), key.getPublic())
                .addAttribute(EvidenceAttribute.ID_AA_ATTESTATION, attribute.apply(ak))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
    }
}
