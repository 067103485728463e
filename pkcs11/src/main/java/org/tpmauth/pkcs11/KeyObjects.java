package org.tpmauth.pkcs11;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.BigIntegers;

/**
 * The three objects of one keystore alias, with the attributes programs read: a private key (sensitive,
 * never extractable, its public values too, since libp11 reads them from the private key), the public
 * key, and the certificate; all three share CKA_ID (the SHA-1 of the public key's SubjectPublicKeyInfo)
 * and carry the alias as CKA_LABEL.
 */
final class KeyObjects {
    /** Handles are 3 per alias: private key, public key, certificate. */
    static final int PER_ALIAS = 3;

    private KeyObjects() {
    }

    static List<TokenObject> of(int index, String alias, X509Certificate certificate, long[] mechanisms,
            boolean privateObjects) {
        PublicKey publicKey = certificate.getPublicKey();
        byte[] id = id(publicKey);
        boolean rsa = publicKey instanceof RSAPublicKey;
        long base = (long) index * PER_ALIAS;
        List<Attribute> common = List.of(Attribute.bool(Pkcs11.CKA_TOKEN, true), Attribute.text(Pkcs11.CKA_LABEL, alias),
                Attribute.bytes(Pkcs11.CKA_ID, id), Attribute.bool(Pkcs11.CKA_MODIFIABLE, false),
                Attribute.bool(Pkcs11.CKA_COPYABLE, false));
        List<Attribute> key = new ArrayList<>(common);
        key.add(Attribute.ulong(Pkcs11.CKA_KEY_TYPE, rsa ? Pkcs11.CKK_RSA : Pkcs11.CKK_EC));
        key.add(Attribute.bytes(Pkcs11.CKA_SUBJECT, certificate.getSubjectX500Principal().getEncoded()));
        key.add(Attribute.bool(Pkcs11.CKA_LOCAL, true));
        key.add(Attribute.bool(Pkcs11.CKA_DERIVE, false));
        key.addAll(publicValues(publicKey));

        List<Attribute> privateKey = new ArrayList<>(key);
        privateKey.add(Attribute.ulong(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY));
        privateKey.add(Attribute.bool(Pkcs11.CKA_PRIVATE, privateObjects));
        privateKey.add(Attribute.bool(Pkcs11.CKA_SENSITIVE, true));
        privateKey.add(Attribute.bool(Pkcs11.CKA_ALWAYS_SENSITIVE, true));
        privateKey.add(Attribute.bool(Pkcs11.CKA_EXTRACTABLE, false));
        privateKey.add(Attribute.bool(Pkcs11.CKA_NEVER_EXTRACTABLE, true));
        privateKey.add(Attribute.bool(Pkcs11.CKA_SIGN, true));
        privateKey.add(Attribute.bool(Pkcs11.CKA_SIGN_RECOVER, false));
        privateKey.add(Attribute.bool(Pkcs11.CKA_DECRYPT, false));
        privateKey.add(Attribute.bool(Pkcs11.CKA_UNWRAP, false));
        privateKey.add(Attribute.bool(Pkcs11.CKA_ALWAYS_AUTHENTICATE, false));
        privateKey.add(Attribute.mechanisms(Pkcs11.CKA_ALLOWED_MECHANISMS, mechanisms));

        List<Attribute> pub = new ArrayList<>(key);
        pub.add(Attribute.ulong(Pkcs11.CKA_CLASS, Pkcs11.CKO_PUBLIC_KEY));
        pub.add(Attribute.bool(Pkcs11.CKA_PRIVATE, false));
        pub.add(Attribute.bool(Pkcs11.CKA_VERIFY, true));
        pub.add(Attribute.bool(Pkcs11.CKA_VERIFY_RECOVER, false));
        pub.add(Attribute.bool(Pkcs11.CKA_ENCRYPT, false));
        pub.add(Attribute.bool(Pkcs11.CKA_WRAP, false));
        pub.add(Attribute.bytes(Pkcs11.CKA_PUBLIC_KEY_INFO, publicKey.getEncoded()));

        List<Attribute> cert = new ArrayList<>(common);
        cert.add(Attribute.ulong(Pkcs11.CKA_CLASS, Pkcs11.CKO_CERTIFICATE));
        cert.add(Attribute.bool(Pkcs11.CKA_PRIVATE, false));
        cert.add(Attribute.ulong(Pkcs11.CKA_CERTIFICATE_TYPE, Pkcs11.CKC_X_509));
        cert.add(Attribute.ulong(Pkcs11.CKA_CERTIFICATE_CATEGORY, 1)); // token user
        cert.add(Attribute.bool(Pkcs11.CKA_TRUSTED, false));
        cert.add(Attribute.bytes(Pkcs11.CKA_VALUE, der(certificate)));
        cert.add(Attribute.bytes(Pkcs11.CKA_SUBJECT, certificate.getSubjectX500Principal().getEncoded()));
        cert.add(Attribute.bytes(Pkcs11.CKA_ISSUER, certificate.getIssuerX500Principal().getEncoded()));
        cert.add(Attribute.bytes(Pkcs11.CKA_SERIAL_NUMBER, encoded(new ASN1Integer(certificate.getSerialNumber()))));

        return List.of(new TokenObject(base + 1, alias, privateKey), new TokenObject(base + 2, alias, pub),
                new TokenObject(base + 3, alias, cert));
    }

    /** CKA_MODULUS / CKA_PUBLIC_EXPONENT / CKA_MODULUS_BITS, or CKA_EC_PARAMS / CKA_EC_POINT. */
    private static List<Attribute> publicValues(PublicKey publicKey) {
        if (publicKey instanceof RSAPublicKey rsa) {
            return List.of(Attribute.bytes(Pkcs11.CKA_MODULUS, BigIntegers.asUnsignedByteArray(rsa.getModulus())),
                    Attribute.bytes(Pkcs11.CKA_PUBLIC_EXPONENT, BigIntegers.asUnsignedByteArray(rsa.getPublicExponent())),
                    Attribute.ulong(Pkcs11.CKA_MODULUS_BITS, rsa.getModulus().bitLength()));
        }
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(publicKey.getEncoded());
        return List.of(Attribute.bytes(Pkcs11.CKA_EC_PARAMS, encoded(spki.getAlgorithm().getParameters())),
                Attribute.bytes(Pkcs11.CKA_EC_POINT, encoded(new DEROctetString(spki.getPublicKeyData().getBytes()))));
    }

    /** The CKA_ID of a key pair: SHA-1 of its SubjectPublicKeyInfo (stable across restarts). */
    static byte[] id(PublicKey publicKey) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(publicKey.getEncoded());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(org.bouncycastle.asn1.ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded("DER");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
        }
    }
}
