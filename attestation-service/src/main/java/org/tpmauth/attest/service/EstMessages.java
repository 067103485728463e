package org.tpmauth.attest.service;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAbsentContent;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.tpmauth.attestation.SignatureProviders;

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

    /** The JCA names of the ECDSA signature algorithms {@link #verifiers} checks through {@link SignatureProviders}. */
    private static final Map<ASN1ObjectIdentifier, String> ECDSA = Map.of(X9ObjectIdentifiers.ecdsa_with_SHA256,
            "SHA256withECDSA", X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA");

    /**
     * Checks signatures by {@code key}: ECDSA through {@link SignatureProviders#signature} (the JDK hashes the
     * request, whose boot log makes it a megabyte, and Bouncy Castle checks the digest's signature), other
     * algorithms through Bouncy Castle's JCA verifiers.
     */
    public static ContentVerifierProvider verifiers(PublicKey key) throws OperatorCreationException {
        JcaContentVerifierProviderBuilder jca = new JcaContentVerifierProviderBuilder();
        if (SignatureProviders.forKey(key) != null) {
            jca.setProvider(SignatureProviders.forKey(key));
        }
        ContentVerifierProvider fallback = jca.build(key);
        return new ContentVerifierProvider() {
            @Override
            public boolean hasAssociatedCertificate() {
                return false;
            }

            @Override
            public X509CertificateHolder getAssociatedCertificate() {
                return null;
            }

            @Override
            public ContentVerifier get(AlgorithmIdentifier algorithm) throws OperatorCreationException {
                String name = ECDSA.get(algorithm.getAlgorithm());
                if (name == null || algorithm.getParameters() != null) {
                    return fallback.get(algorithm);
                }
                try {
                    Signature signature = SignatureProviders.signature(name, key);
                    signature.initVerify(key);
                    return new SignatureVerifier(algorithm, signature);
                } catch (GeneralSecurityException e) {
                    throw new OperatorCreationException("cannot check " + name + ": " + e.getMessage(), e);
                }
            }
        };
    }

    /** A {@link ContentVerifier} over an initialized {@link Signature}. */
    private record SignatureVerifier(AlgorithmIdentifier getAlgorithmIdentifier, Signature signature)
            implements ContentVerifier {
        @Override
        public OutputStream getOutputStream() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    try {
                        signature.update(b, off, len);
                    } catch (SignatureException e) {
                        throw new IOException(e);
                    }
                }
            };
        }

        @Override
        public boolean verify(byte[] value) {
            try {
                return signature.verify(value);
            } catch (SignatureException e) {
                return false; // not a DER ECDSA signature
            }
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
     * Base64 in lines, as EST bodies come: the lines joined and decoded by the JDK's plain decoder (its
     * vectorized loop runs over the whole body, where the MIME decoder first counts the characters to
     * skip one by one and then decodes line by line); a body laid out otherwise (lines of several
     * lengths, other whitespace) goes to the MIME decoder, which decides what it means.
     */
    static byte[] base64(byte[] body) {
        try {
            ByteBuffer decoded = Base64.getDecoder().decode(joinLines(body));
            return decoded.remaining() == decoded.capacity() ? decoded.array()
                    : Arrays.copyOf(decoded.array(), decoded.remaining());
        } catch (IllegalArgumentException notPlain) {
            return Base64.getMimeDecoder().decode(body);
        }
    }

    /**
     * {@code body} without a line break (CRLF or LF) after every line as long as the first one, nor the
     * breaks that end the body (Bouncy Castle's EST client ends its last, shorter line with one): a break
     * elsewhere stays (and sends the body to the MIME decoder).
     */
    static ByteBuffer joinLines(byte[] body) {
        int width = 0;
        while (width < body.length && body[width] != '\r' && body[width] != '\n') {
            width++;
        }
        int end = body.length;
        while (end > width && (body[end - 1] == '\r' || body[end - 1] == '\n')) {
            end--;
        }
        if (width == 0 || width == body.length) {
            return ByteBuffer.wrap(body);
        }
        byte[] joined = new byte[end];
        int n = 0;
        for (int i = 0; i < end; ) {
            int line = Math.min(width, end - i);
            System.arraycopy(body, i, joined, n, line);
            n += line;
            i += line;
            if (i < end && body[i] == '\r') {
                i++;
            }
            if (i < end && body[i] == '\n') {
                i++;
            }
        }
        return ByteBuffer.wrap(joined, 0, n);
    }

    /**
     * A PKCS#10 request as EST sends it: base64 (line breaks allowed) of the DER.
     *
     * @throws Refusal (400) for anything else
     */
    public static PKCS10CertificationRequest readCsr(byte[] body) throws Refusal {
        try {
            return new ReceivedCsr(base64(body));
        } catch (IllegalArgumentException | IOException | IllegalStateException | ClassCastException
                | IndexOutOfBoundsException e) { // Bouncy Castle's ASN.1 parser throws all of these for malformed input
            throw Refusal.badRequest("csr", "the body is not a base64 PKCS#10 certificate request (RFC 7030 4.2.1): "
                    + e.getMessage());
        }
    }
}
