package org.tpmauth.tls.bound;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Vector;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.TlsFatalAlert;
import org.tpmauth.tls.BouncyCastleKeys;
import org.tpmauth.tls.TpmProvider;

/** Checks the other side's certificate chain against the trusted CA certificates (PKIX, no revocation). */
public final class CertificateCheck {
    /** Installed by {@link TpmProvider#install()}, which {@link #CertificateCheck} calls. */
    private static final String SIGNATURE_PROVIDER = BouncyCastleProvider.PROVIDER_NAME;
    private final List<X509Certificate> anchors;
    /**
     * The CAs as trust anchors by name and key, the key as Bouncy Castle's object that keeps its tables for the
     * checks of every chain (a certificate anchor hands PKIX the certificate's own key, converted anew each time);
     * PKIX checks the path against an anchor's name and key either way.
     */
    private final Set<TrustAnchor> trust;

    public CertificateCheck(List<X509Certificate> anchors) {
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("no CA certificate to check the other side against");
        }
        this.anchors = List.copyOf(anchors);
        TpmProvider.install();
        Set<TrustAnchor> byKey = new HashSet<>();
        for (X509Certificate ca : anchors) {
            byKey.add(new TrustAnchor(ca.getSubjectX500Principal(), BouncyCastleKeys.ecVerifyingKey(ca.getPublicKey()),
                    null));
        }
        this.trust = Set.copyOf(byKey); // shared by every connection's check
    }

    public List<X509Certificate> caCertificates() {
        return anchors;
    }

    /** The CAs' names, for a CertificateRequest's certificate_authorities (which client certificate to send). */
    public Vector<Object> authorities() {
        Vector<Object> names = new Vector<>();
        for (X509Certificate ca : anchors) {
            names.add(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()));
        }
        return names;
    }

    /** The chain, leaf first, once it leads to a trusted CA; else a fatal alert naming the reason. */
    public List<X509Certificate> validate(Certificate chain, String whose) throws IOException {
        if (chain == null || chain.isEmpty()) {
            throw new TlsFatalAlert(AlertDescription.certificate_required, whose + " sent no certificate");
        }
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (int i = 0; i < chain.getLength(); i++) {
                certs.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(chain.getCertificateAt(i).getEncoded())));
            }
        } catch (GeneralSecurityException e) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, whose + " sent an unreadable certificate", e);
        }
        try {
            PKIXParameters params = new PKIXParameters(trust);
            params.setRevocationEnabled(false);
            // the same checks, the signatures verified by Bouncy Castle (4x faster P-256 than JDK 17's SunEC)
            params.setSigProvider(SIGNATURE_PROVIDER);
            // a trusted CA certificate the other side sent along is not part of the path to check
            List<X509Certificate> path = new ArrayList<>(certs);
            path.removeIf(anchors::contains);
            if (path.isEmpty()) {
                throw new TlsFatalAlert(AlertDescription.bad_certificate, whose + " sent only a CA certificate");
            }
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (GeneralSecurityException e) {
            throw new TlsFatalAlert(AlertDescription.unknown_ca, whose + " certificate "
                    + certs.get(0).getSubjectX500Principal().getName() + " is not issued by a trusted CA: "
                    + e.getMessage(), e);
        }
        return certs;
    }
}
