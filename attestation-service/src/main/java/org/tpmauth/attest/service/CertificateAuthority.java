package org.tpmauth.attest.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.tpmauth.attestation.SignatureProviders;
import org.tpmauth.tls.BouncyCastleKeys;
import org.tpmauth.tls.TpmContentSigner;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtPublic;

/**
 * The service's CA: issues AK certificates (so renewals need no credential activation) and short-lived
 * machine (LDevID) certificates that name the CRL's URL, and signs the CRL. The CA key may be a
 * software key or a {@link TpmPrivateKey}; a TPM signs one request at a time.
 */
public final class CertificateAuthority {
    /** tcg-kp-AIKCertificate: the EKU of an attestation key certificate. */
    private static final KeyPurposeId AK_CERTIFICATE = KeyPurposeId.getInstance(new ASN1ObjectIdentifier("2.23.133.8.3"));
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Issued certificates start a little in the past, for machines whose clocks run slightly behind. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    /** UTCTime's text (RFC 5280 4.1.2.5.1: seconds, Z) and GeneralizedTime's (4.1.2.5.2). */
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'");

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Duration lifetime;
    private final String crlUrl;
    /** The CA's name and key identifier, as every certificate and CRL names them: read once. */
    private final X500Name issuer;
    private final AuthorityKeyIdentifier authorityKeyId;
    /** The CA certificate's key as Bouncy Castle's object, which keeps its tables for the checks of every renewal. */
    private final PublicKey verifyingKey;

    public CertificateAuthority(PrivateKey key, X509Certificate certificate, Duration lifetime, String crlUrl) {
        this.key = BouncyCastleKeys.ecSigningKey(key); // a software EC key signs on Bouncy Castle
        this.certificate = certificate;
        this.lifetime = lifetime;
        this.crlUrl = crlUrl;
        this.issuer = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        this.verifyingKey = BouncyCastleKeys.ecVerifyingKey(certificate.getPublicKey());
        try {
            this.authorityKeyId = extensions().createAuthorityKeyIdentifier(certificate);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalArgumentException("the CA certificate cannot be encoded", e);
        }
    }

    /** A new one per certificate: its SHA-1 calculator keeps one MessageDigest, which threads must not share. */
    private static JcaX509ExtensionUtils extensions() {
        try {
            return new JcaX509ExtensionUtils();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public Duration lifetime() {
        return lifetime;
    }

    /**
     * The device name the service gives a TPM: "tpm-" and the first 16 bytes of the SHA-256 of its EK
     * public key (SubjectPublicKeyInfo), the same for every enrollment of that TPM.
     */
    public static String deviceName(PublicKey ek) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(ek.getEncoded());
            return "tpm-" + HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The AK's certificate: CN=device AK, EKU tcg-kp-AIKCertificate, valid as long as the CA is. */
    public X509Certificate issueAk(PublicKey ak, String device, String group) {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = builder(name(device + " AK", group), ak, now.minus(BACKDATE),
                certificate.getNotAfter().toInstant());
        try {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(AK_CERTIFICATE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sign(b);
    }

    /**
     * The machine certificate for a TPM key: CN=device, OU=group, client and server authentication,
     * valid for the configured lifetime, with the CRL distribution point.
     */
    public X509Certificate issueMachine(PublicKey key, String device, String group) {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = builder(name(device, group), key, now.minus(BACKDATE), now.plus(lifetime));
        try {
            int usage = KeyUsage.digitalSignature | (key instanceof RSAPublicKey ? KeyUsage.keyEncipherment : 0);
            b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName,
                    device)));
            if (crlUrl != null) {
                GeneralNames where = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, crlUrl));
                b.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                    new DistributionPoint(new DistributionPointName(where), null, null)}));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sign(b);
    }

    /** The device and group a certificate of this CA names (its CN, minus " AK", and OU). */
    public static DeviceName deviceOf(X509Certificate cert) {
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        String cn = first(subject, BCStyle.CN);
        String ou = first(subject, BCStyle.OU);
        return new DeviceName(cn == null ? "" : cn.replaceFirst(" AK$", ""), ou == null ? "" : ou);
    }

    /** Whether {@code cert} is signed by this CA's key and within its validity period now. */
    public boolean issued(X509Certificate cert) {
        return issued(cert, verifyingKey);
    }

    /** Whether {@code cert} is signed by {@code ca}'s key and within its validity period now. */
    public static boolean issued(X509Certificate cert, X509Certificate ca) {
        return issued(cert, ca.getPublicKey());
    }

    private static boolean issued(X509Certificate cert, PublicKey caKey) {
        try {
            Provider provider = SignatureProviders.forKey(caKey);
            if (provider == null) {
                cert.verify(caKey);
            } else {
                cert.verify(caKey, provider);
            }
            cert.checkValidity();
            return true;
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * The AK of an AK certificate as a public area for quote checks. Its attributes are an AK's: this CA
     * issued the certificate only after checking the AK's attributes at enrollment.
     */
    public static TpmtPublic akPublicArea(X509Certificate akCertificate) {
        return TpmtPublic.ofPublicKey(akCertificate.getPublicKey(), TpmAlg.SHA256,
                AttestationKeys.REQUIRED_ATTRIBUTES | TpmaObject.USER_WITH_AUTH);
    }

    /** A device and its group, as a certificate names them. */
    public record DeviceName(String device, String group) {
    }

    private static String first(X500Name name, ASN1ObjectIdentifier type) {
        var rdns = name.getRDNs(type);
        return rdns.length == 0 ? null : rdns[0].getFirst().getValue().toString();
    }

    /**
     * The CRL of the revoked serials, valid for one certificate lifetime (at most a day). Its thisUpdate falls in a
     * later second than the newest revocation, waiting up to two seconds for it: OpenSSL (FreeRADIUS, hostapd,
     * ocserv) keeps every CRL it has read and, between two of the same second, trusts the first, so a CRL issued
     * just before a revocation would otherwise hide it.
     */
    public X509CRL crl(List<Database.RevokedSerial> revoked) {
        long newest = revoked.stream().mapToLong(r -> r.revoked().getEpochSecond()).max().orElse(Long.MIN_VALUE);
        Instant now = Instant.now();
        // a revocation dated further ahead comes from another instance's skewed clock: do not stall on it
        if (newest >= now.getEpochSecond() && newest - now.getEpochSecond() <= 1) {
            try {
                Thread.sleep(Instant.ofEpochSecond(newest + 1).toEpochMilli() - now.toEpochMilli());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting to date a CRL after a revocation", e);
            }
            now = Instant.now();
        }
        X509v2CRLBuilder b = new X509v2CRLBuilder(issuer, Date.from(now));
        Duration validity = lifetime.compareTo(Duration.ofDays(1)) < 0 ? lifetime : Duration.ofDays(1);
        b.setNextUpdate(Date.from(now.plus(validity)));
        for (Database.RevokedSerial r : revoked) {
            b.addCRLEntry(r.serial(), Date.from(r.revoked()), CRLReason.privilegeWithdrawn);
        }
        try {
            b.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId);
            b.addExtension(Extension.cRLNumber, false, new org.bouncycastle.asn1.x509.CRLNumber(
                    BigInteger.valueOf(now.toEpochMilli())));
            synchronized (this) {
                return new JcaX509CRLConverter().getCRL(b.build(signer()));
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the CRL: " + e.getMessage(), e);
        }
    }

    private static X500Name name(String commonName, String group) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.OU, group).addRDN(BCStyle.CN, commonName).build();
    }

    private X509v3CertificateBuilder builder(X500Name subject, PublicKey key, Instant from, Instant to) {
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial, time(from), time(to), subject, key);
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId);
            b.addExtension(Extension.subjectKeyIdentifier, false, extensions().createSubjectKeyIdentifier(key));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b;
    }

    /**
     * A validity time as RFC 5280 4.1.2.5 has it: UTCTime for the years 1950 to 2049, else GeneralizedTime,
     * to the second. Made from its DER: Bouncy Castle's constructors from a Date or a String each build a
     * SimpleDateFormat, a tenth of the cost of issuing a certificate.
     */
    static Time time(Instant at) {
        ZonedDateTime t = at.atZone(ZoneOffset.UTC);
        boolean utc = t.getYear() >= 1950 && t.getYear() < 2050;
        byte[] text = (utc ? UTC_TIME : GENERALIZED_TIME).format(t).getBytes(StandardCharsets.US_ASCII);
        byte[] der = new byte[2 + text.length];
        der[0] = (byte) (utc ? BERTags.UTC_TIME : BERTags.GENERALIZED_TIME);
        der[1] = (byte) text.length;
        System.arraycopy(text, 0, der, 2, text.length);
        return Time.getInstance(utc ? ASN1UTCTime.getInstance(der) : ASN1GeneralizedTime.getInstance(der));
    }

    private X509Certificate sign(X509v3CertificateBuilder b) {
        X509CertificateHolder holder;
        if (key instanceof TpmPrivateKey) {
            synchronized (this) {
                holder = b.build(signer());
            }
        } else {
            holder = b.build(signer()); // a software key signs on every worker thread at once
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A signer for the CA key; for a TPM key, callers hold this object's lock (a TPM signs one digest at a time). */
    private ContentSigner signer() {
        TpmAlg hash = key instanceof ECKey ec && ec.getParams().getCurve().getField().getFieldSize() > 256
                ? TpmAlg.SHA384 : TpmAlg.SHA256;
        if (key instanceof TpmPrivateKey tpm) {
            return new TpmContentSigner(tpm.keys(), tpm.key(), hash);
        }
        String alg = hash.jcaDigestName().replace("-", "") + (key instanceof ECKey ? "withECDSA" : "withRSA");
        try {
            JcaContentSignerBuilder signers = new JcaContentSignerBuilder(alg);
            if (SignatureProviders.forKey(key) != null) {
                signers.setProvider(SignatureProviders.forKey(key));
            }
            return signers.build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("the CA key cannot sign " + alg + ": " + e.getMessage(), e);
        }
    }
}
