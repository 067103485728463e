package org.tpmauth.attest.service;

import java.io.IOException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.tpmauth.attestation.ek.EkCertificateVerifier;

/**
 * The evidence a renewal CSR carries, as the PKCS#10 attribute of draft-ietf-lamps-csr-attestation-29
 * (Appendix B, module CSR-ATTESTATION-2025):
 * <pre>
 * attr-attestation ATTRIBUTE ::= { TYPE AttestationBundle COUNTS MAX 1 IDENTIFIED BY id-aa-attestation }
 * AttestationBundle ::= SEQUENCE { attestations SEQUENCE SIZE (1..MAX) OF AttestationStatement,
 *                                  certs SEQUENCE SIZE (1..MAX) OF LimitedCertChoices OPTIONAL }
 * AttestationStatement ::= SEQUENCE { type OBJECT IDENTIFIER, stmt ANY DEFINED BY type }
 * LimitedCertChoices ::= CertificateChoices (WITH COMPONENTS {certificate, other})
 * </pre>
 * One statement of type {@link #STATEMENT_TYPE_CBOR} whose stmt is an OCTET STRING holding the
 * {@link KeyEvidence} CBOR (the draft wraps formats that are not DER in an OCTET STRING), and the AK
 * certificate in {@code certs} as a plain {@code Certificate}. A statement of type {@link #STATEMENT_TYPE}
 * (the KeyEvidence JSON, as earlier machines send it) is read as well.
 */
public final class EvidenceAttribute {
    /**
     * id-aa-attestation = id-aa 59 (1.2.840.113549.1.9.16.2.59): early-allocated by IANA as
     * "id-aa-evidence", renamed by the draft, same value.
     */
    public static final ASN1ObjectIdentifier ID_AA_ATTESTATION = new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.2.59");
    /**
     * The statement type of tpmauth's TPM evidence (KeyEvidence JSON). The draft leaves statement types to
     * their formats' authors; this is a UUID-derived OID (ITU-T X.667, arc 2.25), which needs no registration.
     */
    public static final ASN1ObjectIdentifier STATEMENT_TYPE =
            new ASN1ObjectIdentifier("2.25.223707158435062153806542178925317016838");
    /**
     * The statement type of the same evidence as KeyEvidence CBOR (the boot log as bytes: no base64 to
     * decode); UUID 9116a0b1-7e89-42a3-abe4-7509b4d9d88b as an OID.
     */
    public static final ASN1ObjectIdentifier STATEMENT_TYPE_CBOR =
            new ASN1ObjectIdentifier("2.25.192855549167782965841105270104600991883");

    private EvidenceAttribute() {
    }

    /** The evidence and the AK certificate that vouches for the key which signed it. */
    public record Content(KeyEvidence evidence, X509Certificate akCertificate) {
    }

    /** The attribute's one value, an AttestationBundle, for a PKCS#10 request builder. */
    public static ASN1Encodable bundle(KeyEvidence evidence, X509Certificate akCertificate) {
        return bundle(STATEMENT_TYPE_CBOR, evidence.toCbor(), akCertificate);
    }

    /** The AttestationBundle with one statement of {@code type} holding {@code statement}. */
    static ASN1Encodable bundle(ASN1ObjectIdentifier type, byte[] statement, X509Certificate akCertificate) {
        ASN1Encodable typed = new DERSequence(new ASN1Encodable[] {type, new DEROctetString(statement)});
        Certificate ak;
        try {
            ak = Certificate.getInstance(akCertificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the AK certificate cannot be encoded", e);
        }
        return new DERSequence(new ASN1Encodable[] {new DERSequence(typed), new DERSequence(ak)});
    }

    /**
     * Reads the evidence from a CSR's attributes.
     *
     * @throws Refusal (400) when the CSR has no attestation attribute, or its content is malformed
     */
    public static Content read(PKCS10CertificationRequest csr) throws Refusal {
        Attribute[] attributes = csr.getAttributes(ID_AA_ATTESTATION);
        if (attributes.length == 0) {
            throw Refusal.badRequest("evidence", "the certificate request carries no attestation evidence (attribute "
                    + "id-aa-attestation " + ID_AA_ATTESTATION + "); this service renews only attested keys: renew "
                    + "with `tpmauth attest renew`");
        }
        try {
            if (attributes.length != 1) {
                throw new IllegalArgumentException("the request has " + attributes.length
                        + " attestation attributes, not 1");
            }
            ASN1Encodable[] values = attributes[0].getAttrValues().toArray();
            if (values.length != 1) {
                throw new IllegalArgumentException("the attribute has " + values.length + " values, not 1");
            }
            ASN1Sequence bundle = ASN1Sequence.getInstance(values[0]);
            if (bundle.size() != 2) {
                throw new IllegalArgumentException("the attestation bundle needs the statement and the AK certificate");
            }
            KeyEvidence evidence = null;
            for (ASN1Encodable s : ASN1Sequence.getInstance(bundle.getObjectAt(0))) {
                ASN1Sequence statement = ASN1Sequence.getInstance(s);
                if (statement.size() != 2) {
                    throw new IllegalArgumentException("an attestation statement is not a type and a stmt");
                }
                ASN1ObjectIdentifier type = ASN1ObjectIdentifier.getInstance(statement.getObjectAt(0));
                if (STATEMENT_TYPE_CBOR.equals(type)) {
                    evidence = KeyEvidence.fromCbor(ASN1OctetString.getInstance(statement.getObjectAt(1)).getOctets());
                } else if (STATEMENT_TYPE.equals(type)) {
                    evidence = KeyEvidence.fromJson(ASN1OctetString.getInstance(statement.getObjectAt(1)).getOctets());
                }
            }
            if (evidence == null) {
                throw new IllegalArgumentException("no attestation statement of type " + STATEMENT_TYPE_CBOR + " or "
                        + STATEMENT_TYPE + " (tpmauth TPM evidence)");
            }
            X509Certificate ak = null;
            for (ASN1Encodable c : ASN1Sequence.getInstance(bundle.getObjectAt(1))) {
                if (c instanceof ASN1Sequence certificate) { // the certificate alternative; other [3] is skipped
                    List<X509Certificate> certs = EkCertificateVerifier.readCertificates(certificate.getEncoded());
                    if (certs.size() == 1) {
                        ak = certs.get(0);
                        break;
                    }
                }
            }
            if (ak == null) {
                throw new IllegalArgumentException("the attestation bundle carries no AK certificate");
            }
            return new Content(evidence, ak);
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException | IndexOutOfBoundsException
                | IOException e) {
            throw Refusal.badRequest("evidence", "the CSR's attestation attribute is malformed: " + e.getMessage());
        }
    }
}
