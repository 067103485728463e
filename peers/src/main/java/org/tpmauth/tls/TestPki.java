package org.tpmauth.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A software test CA and, on request, a chain of intermediate CAs below it, issuing certificates for TLS
 * clients and servers (client and server extended key usage, which FreeRADIUS and wpa_supplicant check;
 * SAN 127.0.0.1 and localhost).
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    public final KeyPair caKey;
    public final X509Certificate ca;

    /** A CA: its key and its chain up to (and including) the root, own certificate first. */
    public record Ca(KeyPair key, List<X509Certificate> chain) {
        public X509Certificate certificate() {
            return chain.get(0);
        }
    }

    public TestPki(String name) throws Exception {
        caKey = ecKey();
        X500Principal subject = new X500Principal("CN=" + name);
        ca = sign(caKey.getPrivate(), subject, subject, caKey.getPublic(), true);
    }

    public static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    public static KeyPair rsaKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    /** The root CA. */
    public Ca root() {
        return new Ca(caKey, List.of(ca));
    }

    /** {@code depth} intermediate CAs below the root; the last one issues. */
    public Ca intermediates(int depth) throws Exception {
        Ca issuer = root();
        for (int i = 1; i <= depth; i++) {
            KeyPair key = ecKey();
            X509Certificate cert = sign(issuer.key().getPrivate(), issuer.certificate().getSubjectX500Principal(),
                    new X500Principal("CN=intermediate " + i + " with a long name to make the chain longer, "
                            + "O=tpmauth tests, OU=EAP-TLS fragmentation"), key.getPublic(), true);
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(cert);
            chain.addAll(issuer.chain());
            issuer = new Ca(key, List.copyOf(chain));
        }
        return issuer;
    }

    /** A certificate for {@code key} from the root, usable by TLS clients and servers on 127.0.0.1. */
    public X509Certificate issue(PublicKey key, String cn) throws Exception {
        return issue(root(), key, cn);
    }

    /** A certificate for {@code key} from {@code ca}, usable by TLS clients and servers on 127.0.0.1. */
    public static X509Certificate issue(Ca ca, PublicKey key, String cn) throws Exception {
        return sign(ca.key().getPrivate(), ca.certificate().getSubjectX500Principal(), new X500Principal("CN=" + cn),
                key, false);
    }

    /**
     * {@link #issue(Ca, PublicKey, String)} followed by the issuing CA's chain (the root left out, as TLS
     * peers send it).
     */
    public static List<X509Certificate> chain(Ca ca, PublicKey key, String cn) throws Exception {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(issue(ca, key, cn));
        chain.addAll(ca.chain().subList(0, ca.chain().size() - 1));
        return chain;
    }

    private static X509Certificate sign(PrivateKey issuerKey, X500Principal issuer, X500Principal subject,
            PublicKey key, boolean isCa) throws Exception {
        var builder = new JcaX509v3CertificateBuilder(issuer, serial(), notBefore(), notAfter(), subject, key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa))
                .addExtension(Extension.keyUsage, true, new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                        : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        if (!isCa) {
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                    KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        String algorithm = "EC".equals(issuerKey.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
    }

    /** Writes objects (certificates, lists of them, keys) as PEM blocks into one file. */
    public static Path writePem(Path file, Object... objects) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            for (Object o : objects) {
                if (o instanceof PrivateKey k) { // PKCS#8, which openssl reads for every key type
                    w.writeObject(new PemObject("PRIVATE KEY", k.getEncoded()));
                } else if (o instanceof List<?> list) {
                    for (Object item : list) {
                        w.writeObject(item);
                    }
                } else {
                    w.writeObject(o);
                }
            }
        }
        Files.writeString(file, text.toString());
        return file;
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static Date notBefore() {
        return new Date(System.currentTimeMillis() - 3_600_000L);
    }

    private static Date notAfter() {
        return new Date(System.currentTimeMillis() + 86_400_000L);
    }
}
