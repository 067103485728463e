package org.tpmauth.tss.sessions;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.tpmauth.tss.TpmIntegrityException;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;

/**
 * The hash, HMAC and random primitives of session computations, from the JCA. Instances are kept per
 * thread: looking them up costs more than the few bytes a command hashes (an AES cipher ~50 us).
 */
final class SessionCrypto {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadLocal<Map<String, Object>> INSTANCES = ThreadLocal.withInitial(HashMap::new);
    /** HMAC pads its key with zeros, so one zero byte stands for the empty key the JCA refuses. */
    private static final byte[] EMPTY_KEY = new byte[1];

    private SessionCrypto() {
    }

    interface Factory<T> {
        T create(String algorithm) throws GeneralSecurityException;
    }

    /** This thread's instance of a JCA engine; valid until the thread asks for the same one again. */
    static <T> T perThread(Class<T> type, String algorithm, Factory<T> factory) {
        Map<String, Object> instances = INSTANCES.get();
        String key = type.getName() + "/" + algorithm;
        Object instance = instances.get(key);
        if (instance == null) {
            try {
                instance = factory.create(algorithm);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(algorithm + " is not available", e);
            }
            instances.put(key, instance);
        }
        return type.cast(instance);
    }

    static byte[] hash(TpmAlg alg, byte[]... parts) {
        MessageDigest md = perThread(MessageDigest.class, alg.jcaDigestName(), MessageDigest::getInstance);
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    static byte[] hmac(TpmAlg alg, byte[] key, byte[]... parts) {
        return keyedMac(alg, key).doFinal(concat(parts));
    }

    /** This thread's HMAC engine, keyed. */
    static Mac keyedMac(TpmAlg alg, byte[] key) {
        String name = "Hmac" + alg.jcaDigestName().replace("-", "");
        Mac mac = perThread(Mac.class, name, Mac::getInstance);
        try {
            mac.init(new SecretKeySpec(key.length == 0 ? EMPTY_KEY : key, name));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(name + " refused its key", e);
        }
        return mac;
    }

    /** cpHash: H(commandCode || names || parameters) (Part 1, "cpHash"). */
    static byte[] cpHash(TpmAlg alg, Session.CommandContext command) {
        return hash(alg, u32(command.commandCode()), concat(command.names().toArray(byte[][]::new)),
                command.parameters());
    }

    /** rpHash: H(responseCode || commandCode || parameters). */
    static byte[] rpHash(TpmAlg alg, Session.ResponseContext response) {
        return hash(alg, u32(response.responseCode()), u32(response.commandCode()), response.parameters());
    }

    /**
     * A command HMAC: HMAC(key, cpHash || nonceCaller || nonceTPM || [nonceTPMdecrypt || nonceTPMencrypt]
     * || sessionAttributes).
     */
    static byte[] commandHmac(TpmAlg alg, byte[] key, Session.CommandContext command, byte[] nonceCaller,
            byte[] nonceTpm, int attributes) {
        return hmac(alg, key, cpHash(alg, command), nonceCaller, nonceTpm, command.encryptionNonces(),
                new byte[] {(byte) attributes});
    }

    /** Whether a response HMAC is HMAC(key, rpHash || nonceTPM || nonceCaller || sessionAttributes). */
    static boolean responseHmacMatches(TpmAlg alg, byte[] key, Session.ResponseContext context,
            AuthResponse response, byte[] nonceCaller) {
        byte[] expected = hmac(alg, key, rpHash(alg, context), response.nonce(), nonceCaller,
                new byte[] {(byte) response.attributes()});
        return MessageDigest.isEqual(expected, response.hmac());
    }

    /** The error for a response whose HMAC check failed in session {@code handle}. */
    static TpmIntegrityException altered(int commandCode, int handle) {
        return new TpmIntegrityException(String.format("the response to %s failed the HMAC check of session "
                + "0x%08x: it was altered on its way from the TPM, and was discarded", TpmCc.nameOf(commandCode),
                handle));
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
