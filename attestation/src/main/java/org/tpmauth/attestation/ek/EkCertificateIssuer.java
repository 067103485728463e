package org.tpmauth.attestation.ek;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.NvDefineSpace;
import org.tpmauth.tss.commands.NvWrite;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmsNvPublic;

/**
 * What a TPM manufacturer does at the factory, for test TPMs and the demo: issues an EK certificate
 * shaped as the TCG EK credential profile says (empty subject, the TPM's manufacturer, model and version
 * in a critical subjectAltName, EKU tcg-kp-EKCertificate, a critical TCG extension) and writes it to its
 * NV index with platform authorization, where {@link EndorsementKey#certificate()} finds it.
 */
public final class EkCertificateIssuer {
    /** swtpm's NV attributes for EK certificates (ppwrite|writedefine|ppread|ownerread|authread|no_da|platformcreate). */
    private static final int CERT_NV_ATTRIBUTES = TpmaNv.PPWRITE | TpmaNv.WRITEDEFINE | TpmaNv.PPREAD
            | TpmaNv.OWNERREAD | TpmaNv.AUTHREAD | TpmaNv.NO_DA | TpmaNv.PLATFORMCREATE;
    /** Within every TPM's NV buffer. */
    private static final int NV_CHUNK = 512;

    private EkCertificateIssuer() {
    }

    /**
     * An EK certificate for {@code ekPublicKey} signed by {@code issuerKey} in the name of
     * {@code issuer}.
     *
     * @param model the TPM model named in the subjectAltName (e.g. "swtpm")
     */
    public static X509Certificate issue(PublicKey ekPublicKey, X509Certificate issuer, PrivateKey issuerKey,
            long serial, Date notBefore, Date notAfter, String model) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()), BigInteger.valueOf(serial),
                    notBefore, notAfter, new X500Name(new RDN[0]), ekPublicKey);
            X500Name tpmIdentity = new X500Name(new RDN[] {new RDN(new AttributeTypeAndValue[] {
                new AttributeTypeAndValue(new ASN1ObjectIdentifier("2.23.133.2.1"), new DERUTF8String("id:00001014")),
                new AttributeTypeAndValue(new ASN1ObjectIdentifier("2.23.133.2.2"), new DERUTF8String(model)),
                new AttributeTypeAndValue(new ASN1ObjectIdentifier("2.23.133.2.3"), new DERUTF8String("id:20191023"))})});
            b.addExtension(Extension.subjectAlternativeName, true,
                    new GeneralNames(new GeneralName(GeneralName.directoryName, tpmIdentity)));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ekPublicKey instanceof RSAPublicKey
                    ? KeyUsage.keyEncipherment : KeyUsage.keyAgreement));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.getInstance(new ASN1ObjectIdentifier("2.23.133.8.1"))));
            // the TCG's own critical extension, which general-purpose validators do not know
            b.addExtension(new ASN1ObjectIdentifier("2.23.133.99.1"), true, new DERSet());
            String alg = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg)
                    .build(issuerKey)));
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot issue the EK certificate: " + e.getMessage(), e);
        }
    }

    /** Writes {@code certificate} to the EK certificate index of {@code template} (0x01c00002, 0x01c0000a). */
    public static void store(Tpm tpm, EkTemplate template, X509Certificate certificate) {
        try {
            writeNv(tpm, template.certificateIndex(), certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Defines an EK-certificate style index with platform authorization and writes {@code data}. */
    public static void writeNv(Tpm tpm, int index, byte[] data) {
        tpm.execute(new NvDefineSpace(TpmHandles.RH_PLATFORM, new byte[0],
                new TpmsNvPublic(index, TpmAlg.SHA256, CERT_NV_ATTRIBUTES, new byte[0], data.length)));
        for (int off = 0; off < data.length; off += NV_CHUNK) {
            int n = Math.min(NV_CHUNK, data.length - off);
            tpm.execute(new NvWrite(TpmHandles.RH_PLATFORM, index, Arrays.copyOfRange(data, off, off + n), off));
        }
    }
}
