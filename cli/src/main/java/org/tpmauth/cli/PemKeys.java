package org.tpmauth.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Software keys in the PEM forms openssl writes: public keys (SubjectPublicKeyInfo) and private keys. */
final class PemKeys {
    private static final JcaPEMKeyConverter CONVERTER = new JcaPEMKeyConverter();

    private PemKeys() {
    }

    /** A {@code -----BEGIN PUBLIC KEY-----} file (openssl pkey -pubout, tpmauth key public). */
    static PublicKey readPublicKey(Path file) throws IOException {
        Object pem = readPem(file);
        if (pem instanceof SubjectPublicKeyInfo info) {
            return CONVERTER.getPublicKey(info);
        }
        throw new IllegalArgumentException(file + " is not a PEM public key (-----BEGIN PUBLIC KEY-----); make one with "
                + "`openssl pkey -in signer.pem -pubout` or `tpmauth key public`");
    }

    /**
     * An unencrypted RSA or EC private key ({@code PRIVATE KEY}, {@code EC PRIVATE KEY} or
     * {@code RSA PRIVATE KEY}) with its public key.
     */
    static KeyPair readKeyPair(Path file) throws IOException {
        Object pem = readPem(file);
        if (pem instanceof PEMKeyPair pair) {
            return CONVERTER.getKeyPair(pair);
        }
        if (pem instanceof PrivateKeyInfo info) {
            PrivateKey key = CONVERTER.getPrivateKey(info);
            return new KeyPair(publicOf(key), key);
        }
        throw new IllegalArgumentException(file + " is not an unencrypted PEM private key (RSA or EC)");
    }

    /** The public key of an RSA (CRT) or EC private key. */
    private static PublicKey publicOf(PrivateKey key) {
        try {
            if (key instanceof RSAPrivateCrtKey rsa) {
                return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(),
                        rsa.getPublicExponent()));
            }
            if (key instanceof ECPrivateKey ec) {
                org.bouncycastle.math.ec.ECPoint q = EC5Util.convertSpec(ec.getParams()).getG().multiply(ec.getS())
                        .normalize();
                ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
                return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, ec.getParams()));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the private key's public half cannot be computed: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("only RSA and EC keys sign policies, not " + key.getAlgorithm());
    }

    private static Object readPem(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1); PEMParser parser = new PEMParser(in)) {
            Object pem = parser.readObject();
            if (pem == null) {
                throw new IllegalArgumentException(file + " holds no PEM block");
            }
            return pem;
        }
    }
}
