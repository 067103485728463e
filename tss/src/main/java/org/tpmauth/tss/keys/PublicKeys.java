package org.tpmauth.tss.keys;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PublicKey;
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
}
