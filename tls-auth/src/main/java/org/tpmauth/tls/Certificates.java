package org.tpmauth.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reading and writing certificate chains as PEM, and checking that a key belongs to its certificate. */
public final class Certificates {
    private Certificates() {
    }

    /** The certificates in a PEM (or DER) file, in file order: the leaf first for a chain. */
    public static List<X509Certificate> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /** The certificates in PEM text (e.g. a FAPI keystore object's certificate), in order; {@code source} names it in errors. */
    public static List<X509Certificate> parse(String pem, String source) throws IOException {
        return read(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), source);
    }

    private static List<X509Certificate> read(InputStream in, String source) throws IOException {
        try {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) c);
            }
            if (certificates.isEmpty()) {
                throw new IOException("no certificate in " + source);
            }
            return certificates;
        } catch (CertificateException e) {
            throw new IOException(source + " holds no readable X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** The certificates as PEM blocks, in order. */
    public static String toPem(X509Certificate... certificates) {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate c : certificates) {
            try {
                pem.append("-----BEGIN CERTIFICATE-----\n")
                        .append(java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalArgumentException("the certificate cannot be encoded: " + e.getMessage(), e);
            }
        }
        return pem.toString();
    }

    /**
     * Refuses a key whose public half is not the one in its certificate: better a clear message now
     * than a handshake the peer aborts with "decrypt error".
     *
     * @throws KeyMismatchException naming the alias and the certificate's subject
     */
    public static void requireMatch(String alias, PublicKey key, X509Certificate certificate) {
        if (!Arrays.equals(key.getEncoded(), certificate.getPublicKey().getEncoded())) {
            throw new KeyMismatchException("the TPM key '" + alias + "' does not match its certificate "
                    + certificate.getSubjectX500Principal().getName() + ": the certificate holds another public key");
        }
    }

    /** A TPM key and a certificate that do not belong together. */
    public static final class KeyMismatchException extends IllegalArgumentException {
        KeyMismatchException(String message) {
            super(message);
        }
    }
}
