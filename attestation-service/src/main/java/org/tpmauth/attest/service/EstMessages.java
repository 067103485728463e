package org.tpmauth.attest.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** The bodies of EST (RFC 7030) messages: certs-only PKCS#7 answers and base64 PKCS#10 requests. */
public final class EstMessages {
    private EstMessages() {
    }

    /** A degenerate CMS SignedData holding only {@code certs} (DER). */
    public static byte[] certsOnly(List<X509Certificate> certs) {
        try {
            CMSSignedDataGenerator g = new CMSSignedDataGenerator();
            g.addCertificates(new JcaCertStore(certs));
            return g.generate(new CMSAbsentContent()).getEncoded();
        } catch (CMSException | CertificateEncodingException | IOException e) {
            throw new IllegalStateException("cannot encode the certificates as PKCS#7: " + e.getMessage(), e);
        }
    }

    /**
     * A PKCS#10 request as EST sends it: base64 (line breaks allowed) of the DER.
     *
     * @throws Refusal (400) for anything else
     */
    public static PKCS10CertificationRequest readCsr(byte[] body) throws Refusal {
        try {
            byte[] der = Base64.getMimeDecoder().decode(new String(body, StandardCharsets.US_ASCII).trim());
            return new PKCS10CertificationRequest(der);
        } catch (IllegalArgumentException | IOException | IllegalStateException | ClassCastException
                | IndexOutOfBoundsException e) { // Bouncy Castle's ASN.1 parser throws all of these for malformed input
            throw Refusal.badRequest("csr", "the body is not a base64 PKCS#10 certificate request (RFC 7030 4.2.1): "
                    + e.getMessage());
        }
    }
}
