package org.tpmauth.tss.keys;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/** Public keys as SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}), as openssl writes them. */
public final class PublicKeys {
    private PublicKeys() {
    }

    public static String toPem(PublicKey key) {
        StringWriter text = new StringWriter();
        try (PemWriter pem = new PemWriter(text)) {
            pem.writeObject(new PemObject("PUBLIC KEY", key.getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Reads a PEM SubjectPublicKeyInfo of an RSA or EC key; fails saying why. */
    public static PublicKey fromPem(String pem) {
        String b64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not PEM: " + e.getMessage(), e);
        }
        for (String alg : new String[] {"EC", "RSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException notThisType) {
                // try the other
            }
        }
        throw new IllegalArgumentException("not an RSA or EC SubjectPublicKeyInfo");
    }
}
