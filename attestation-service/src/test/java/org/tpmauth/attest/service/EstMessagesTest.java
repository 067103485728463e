package org.tpmauth.attest.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Random;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.tpmauth.attest.testing.ServiceFixture;

/** EST request bodies: base64 in any line layout, and the request's signature checked as received. */
class EstMessagesTest {
    private static final byte[] DATA = new byte[100_000];

    static {
        new Random(12).nextBytes(DATA);
    }

    @Test
    void base64InLinesDecodesAsTheMimeDecoderDoes() {
        String plain = Base64.getEncoder().encodeToString(DATA);
        for (String body : new String[] {
            Base64.getMimeEncoder().encodeToString(DATA), // 76 + CRLF
            Base64.getMimeEncoder().encodeToString(DATA) + "\r\n",
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(DATA) + "\n",
            plain,
            plain.substring(0, 76) + "\n" + plain.substring(76, 100) + "\n" + plain.substring(100), // uneven lines
            plain.substring(0, 76) + " \r\n" + plain.substring(76), // other whitespace
            "\n" + plain,
        }) {
            assertArrayEquals(DATA, EstMessages.base64(body.getBytes(StandardCharsets.US_ASCII)), body.substring(0, 80));
        }
        assertArrayEquals(new byte[0], EstMessages.base64(new byte[0]));
    }

    /**
     * Even lines join to plain base64 for the JDK's fast decoder, also when the body ends with a break after
     * its last, shorter line (Bouncy Castle's EST client: 64 characters and LF).
     */
    @Test
    void evenLinesJoinWhateverBreakEndsTheBody() {
        String plain = Base64.getEncoder().encodeToString(DATA);
        for (String body : new String[] {
            Base64.getMimeEncoder().encodeToString(DATA),
            Base64.getMimeEncoder().encodeToString(DATA) + "\r\n",
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(DATA) + "\n",
            plain.substring(0, 64) + "\n",
        }) {
            java.nio.ByteBuffer joined = EstMessages.joinLines(body.getBytes(StandardCharsets.US_ASCII));
            String text = new String(joined.array(), joined.position(), joined.remaining(), StandardCharsets.US_ASCII);
            assertEquals(body.length() < 100 ? plain.substring(0, 64) : plain, text);
        }
    }

    @Test
    void bodyThatIsNotBase64IsRefused() {
        String body = Base64.getMimeEncoder().encodeToString(DATA).replace('Q', '%').substring(0, 1001);
        Refusal r = assertThrows(Refusal.class, () -> EstMessages.readCsr(body.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(400, r.status());
    }

    @Test
    void requestSignatureIsCheckedOverWhatWasSent() throws Exception {
        for (String sigAlg : new String[] {"SHA256withECDSA", "SHA384withECDSA", "SHA256withRSA"}) {
            KeyPair key = keyPair(sigAlg);
            byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=tpm-test"), key.getPublic())
                    .build(new JcaContentSignerBuilder(sigAlg).build(key.getPrivate())).getEncoded();
            assertTrue(signed(der, key.getPublic()), sigAlg);
            assertFalse(signed(der, keyPair(sigAlg).getPublic()), sigAlg + ", another key");
            byte[] altered = der.clone();
            altered[new String(der, StandardCharsets.ISO_8859_1).indexOf("tpm-test")] ^= 1; // a letter of the subject
            assertFalse(signed(altered, key.getPublic()), sigAlg + ", altered");
        }
    }

    /** The certificates' validity times encode as Bouncy Castle's Time(Date) encodes them. */
    @Test
    void validityTimesEncodeAsBouncyCastlesOwn() throws Exception {
        for (String t : new String[] {"2026-01-02T03:04:05.678Z", "2049-12-31T23:59:59Z", "2050-01-01T00:00:00Z",
            "1949-06-01T12:00:00Z"}) {
            Instant at = Instant.parse(t);
            assertArrayEquals(new Time(Date.from(at)).getEncoded(), CertificateAuthority.time(at).getEncoded(), t);
        }
    }

    private static boolean signed(byte[] der, PublicKey key) throws Exception {
        PKCS10CertificationRequest csr = EstMessages.readCsr(Base64.getMimeEncoder().encode(der));
        return csr.isSignatureValid(EstMessages.verifiers(key));
    }

    private static KeyPair keyPair(String sigAlg) throws Exception {
        if (!sigAlg.endsWith("RSA")) {
            return ServiceFixture.ecKeyPair();
        }
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }
}
