package org.tpmauth.attest.service;

import java.io.IOException;
import java.io.OutputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

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
     * A request that checks its signature over its CertificationRequestInfo as received, which is what
     * the machine signed: Bouncy Castle's own check encodes the whole request anew first, and with a boot
     * log inside that was the costliest step of a renewal. A request whose encoding is not definite-length
     * throughout is checked Bouncy Castle's way.
     */
    private static final class ReceivedCsr extends PKCS10CertificationRequest {
        private final byte[] der;

        ReceivedCsr(byte[] der) throws IOException {
            super(der);
            this.der = der;
        }

        @Override
        public boolean isSignatureValid(ContentVerifierProvider verifierProvider) throws PKCSException {
            int[] info = firstElement(der);
            if (info == null) {
                return super.isSignatureValid(verifierProvider);
            }
            try {
                ContentVerifier verifier = verifierProvider.get(getSignatureAlgorithm());
                try (OutputStream out = verifier.getOutputStream()) {
                    out.write(der, info[0], info[1]);
                }
                return verifier.verify(getSignature());
            } catch (OperatorCreationException | IOException e) {
                throw new PKCSException("unable to process signature: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Where the first element of the outer SEQUENCE starts and how long it is (header included), or null
     * unless both are definite-length DER headers within {@code der}.
     */
    static int[] firstElement(byte[] der) {
        int[] outer = header(der, 0);
        if (outer == null || der[0] != 0x30) {
            return null;
        }
        int[] inner = header(der, outer[0]);
        if (inner == null || der[outer[0]] != 0x30 || inner[0] + (long) inner[1] > der.length) {
            return null;
        }
        return new int[] {outer[0], inner[0] + inner[1] - outer[0]};
    }

    /** {content start, content length} of the TLV at {@code at} (one-byte tag), or null. */
    private static int[] header(byte[] der, int at) {
        if (at + 2 > der.length) {
            return null;
        }
        int first = der[at + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {at + 2, first};
        }
        int n = first & 0x7f;
        if (n == 0 || n > 3 || at + 2 + n > der.length) {
            return null; // indefinite, or longer than any request we take
        }
        int length = 0;
        for (int i = 0; i < n; i++) {
            length = length << 8 | der[at + 2 + i] & 0xff;
        }
        return new int[] {at + 2 + n, length};
    }

    /**
     * A PKCS#10 request as EST sends it: base64 (line breaks allowed) of the DER.
     *
     * @throws Refusal (400) for anything else
     */
    public static PKCS10CertificationRequest readCsr(byte[] body) throws Refusal {
        try {
            // decoded from the bytes as they came (the MIME decoder skips line breaks): the body is mostly the boot log
            byte[] der = Base64.getMimeDecoder().decode(body);
            return new ReceivedCsr(der);
        } catch (IllegalArgumentException | IOException | IllegalStateException | ClassCastException
                | IndexOutOfBoundsException e) { // Bouncy Castle's ASN.1 parser throws all of these for malformed input
            throw Refusal.badRequest("csr", "the body is not a base64 PKCS#10 certificate request (RFC 7030 4.2.1): "
                    + e.getMessage());
        }
    }
}
