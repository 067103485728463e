package org.tpmauth.tss.sessions;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.tpmauth.tss.types.TpmAlg;

/** The hash, HMAC and random primitives of session computations, from the JCA. */
final class SessionCrypto {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** HMAC pads its key with zeros, so one zero byte stands for the empty key the JCA refuses. */
    private static final byte[] EMPTY_KEY = new byte[1];

    private SessionCrypto() {
    }

    static byte[] hash(TpmAlg alg, byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(alg.jcaDigestName());
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(alg + " is not available", e);
        }
    }

    static byte[] hmac(TpmAlg alg, byte[] key, byte[]... parts) {
        return newMac(alg, key).doFinal(concat(parts));
    }

    static Mac newMac(TpmAlg alg, byte[] key) {
        String name = "Hmac" + alg.jcaDigestName().replace("-", "");
        try {
            Mac mac = Mac.getInstance(name);
            mac.init(new SecretKeySpec(key.length == 0 ? EMPTY_KEY : key, name));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(name + " is not available", e);
        }
    }

    static byte[] random(int size) {
        byte[] b = new byte[size];
        RANDOM.nextBytes(b);
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] u32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** An auth value as the TPM uses it as an HMAC key: trailing zero bytes removed (Part 1, 19.6.5). */
    static byte[] trimAuth(byte[] auth) {
        int n = auth.length;
        while (n > 0 && auth[n - 1] == 0) {
            n--;
        }
        return Arrays.copyOf(auth, n);
    }
}
