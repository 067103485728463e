package org.tpmauth.attestation.testing;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.tpmauth.attestation.ek.EkCertificateIssuer;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA for tests: issues CA certificates and EK certificates shaped as the EK profile says. */
public record TestCa(PrivateKey key, X509Certificate certificate) {
    /** A self-signed EC P-256 root CA with the given common name. */
    public static TestCa root(String commonName) {
        KeyPair keys = ecKeyPair();
        X500Name name = new X500Name("CN=" + commonName);
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, from(-1), from(3650),
                    name, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestCa(keys.getPrivate(), sign(b, keys.getPrivate()));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An EK certificate for {@code ekPublicKey}, valid from yesterday for ten years. */
    public X509Certificate issueEk(PublicKey ekPublicKey, long serial) {
        return issueEk(ekPublicKey, serial, from(-1), from(3650));
    }

    /**
     * An EK certificate as the EK profile shapes it: empty subject, the TPM's manufacturer, model and
     * version in a critical subjectAltName directoryName, EKU tcg-kp-EKCertificate.
     */
    public X509Certificate issueEk(PublicKey ekPublicKey, long serial, Date notBefore, Date notAfter) {
        return EkCertificateIssuer.issue(ekPublicKey, certificate, key, serial, notBefore, notAfter, "swtpm");
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            String alg = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer)));
        } catch (org.bouncycastle.operator.OperatorCreationException | java.security.cert.CertificateException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** Now plus {@code days} (negative: in the past). */
    public static Date from(long days) {
        return Date.from(Instant.now().plus(Duration.ofDays(days)));
    }

    /** A new EC P-256 key pair. */
    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
