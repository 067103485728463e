package org.tpmauth.demo;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.tpmauth.attestation.ek.EkCertificateIssuer;
import org.tpmauth.attestation.ek.EkTemplate;
import org.tpmauth.attestation.ek.EndorsementKey;
import org.tpmauth.tss.Tpm;

/**
 * A software CA that lives for one demo run: as a TPM manufacturer it issues EK certificates, as the
 * network's CA client and server certificates (for a CSR whose signature it checked, or for a key whose
 * possession was established otherwise).
 */
public final class ThrowawayCa {
    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final SecureRandom random = new SecureRandom();

    public ThrowawayCa(String commonName) throws GeneralSecurityException, OperatorCreationException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        keyPair = generator.generateKeyPair();
        X500Name name = new X500Name("CN=" + commonName);
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(1))), name, keyPair.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(keyPair.getPublic()));
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate())));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA's key, for a service that issues in this CA's name (the demo's attestation service). */
    public java.security.PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    /**
     * Issues a TLS client certificate for a CSR, valid for {@code lifetime}. The CSR's signature must
     * verify with its own public key (proof that the requester holds the key).
     */
    public X509Certificate issueClientCertificate(PKCS10CertificationRequest csr, Duration lifetime)
            throws GeneralSecurityException, OperatorCreationException {
        JcaPKCS10CertificationRequest request = new JcaPKCS10CertificationRequest(csr);
        try {
            if (!csr.isSignatureValid(new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
                    .build(request.getPublicKey()))) {
                throw new GeneralSecurityException("the CSR's signature does not verify with its own public key");
            }
        } catch (org.bouncycastle.pkcs.PKCSException e) {
            throw new GeneralSecurityException("the CSR's signature cannot be checked: " + e.getMessage(), e);
        }
        return issue(csr.getSubject(), request.getPublicKey(), lifetime, KeyPurposeId.id_kp_clientAuth);
    }

    /**
     * Issues a certificate for {@code key} (whose possession the caller has established otherwise, e.g.
     * by a TPM2_Certify of the key), valid for {@code lifetime}, for {@code purpose} (client or server
     * authentication).
     */
    public X509Certificate issue(X500Name subject, PublicKey key, Duration lifetime, KeyPurposeId purpose)
            throws GeneralSecurityException, OperatorCreationException {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), serial(),
                Date.from(now.minusSeconds(60)), Date.from(now.plus(lifetime)), subject, key);
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(certificate));
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate())));
    }

    /** As a TPM manufacturer: an EK certificate (EK credential profile) for {@code ekPublicKey}. */
    public X509Certificate issueEkCertificate(PublicKey ekPublicKey) {
        Instant now = Instant.now();
        return EkCertificateIssuer.issue(ekPublicKey, certificate, keyPair.getPrivate(), random.nextLong() & Long.MAX_VALUE | 1,
                Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(3650))), "tpmauth demo TPM");
    }

    /**
     * What a TPM manufacturer does at the factory: creates the TPM's EK (ECC P-256), certifies it, writes the
     * certificate into the TPM's NV (0x01c0000a) and flushes the EK; returns the certificate.
     */
    public X509Certificate provisionEk(Tpm tpm) {
        X509Certificate cert;
        try (EndorsementKey ek = EndorsementKey.create(tpm, EkTemplate.ECC_P256)) {
            cert = issueEkCertificate(ek.publicKey());
        }
        EkCertificateIssuer.store(tpm, EkTemplate.ECC_P256, cert);
        return cert;
    }

    private BigInteger serial() {
        return new BigInteger(64, random).setBit(63);
    }
}
