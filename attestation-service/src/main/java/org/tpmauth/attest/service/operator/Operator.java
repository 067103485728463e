package org.tpmauth.attest.service.operator;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;

/** An operator, as their client certificate names them: the subject, and the certificate's SHA-256. */
record Operator(String name, byte[] fingerprint) {
    static Operator of(X509Certificate cert) {
        try {
            return new Operator(cert.getSubjectX500Principal().getName(),
                    MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
