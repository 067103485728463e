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
    static final SecureRandom RANDOM = new SecureRandom();
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

    /** This thread's HMAC engine, keyed. */
    static Mac keyedMac(TpmAlg alg, byte[] key) {
        String name = macName(alg);
        Mac mac = perThread(Mac.class, name, Mac::getInstance);
        key(mac, key);
        return mac;
    }

    /** The JCA name of HMAC with {@code alg}, e.g. HmacSHA256. */
    static String macName(TpmAlg alg) {
        return "Hmac" + alg.jcaDigestName().replace("-", "");
    }

    /** Keys {@code mac} with {@code key}; the empty key too. */
    static void key(Mac mac, byte[] key) {
        try {
            mac.init(new SecretKeySpec(key.length == 0 ? EMPTY_KEY : key, mac.getAlgorithm()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(mac.getAlgorithm() + " refused its key", e);
        }
    }

    /** cpHash: H(commandCode || names || parameters) (Part 1, "cpHash"). */
    static byte[] cpHash(TpmAlg alg, Session.CommandContext command) {
        MessageDigest md = perThread(MessageDigest.class, alg.jcaDigestName(), MessageDigest::getInstance);
        md.update(u32(command.commandCode()));
        command.names().forEach(md::update);
        return md.digest(command.parameters());
    }

    /** rpHash: H(responseCode || commandCode || parameters). */
    static byte[] rpHash(TpmAlg alg, Session.ResponseContext response) {
        return hash(alg, u32(response.responseCode()), u32(response.commandCode()), response.parameters());
    }

    /**
     * A command HMAC: HMAC(key, cpHash || nonceCaller || nonceTPM || [nonceTPMdecrypt || nonceTPMencrypt]
     * || sessionAttributes), {@code mac} keyed with the session's HMAC key.
     */
    static byte[] commandHmac(TpmAlg alg, Mac mac, Session.CommandContext command, byte[] nonceCaller,
            byte[] nonceTpm, int attributes) {
        mac.update(cpHash(alg, command));
        mac.update(nonceCaller);
        mac.update(nonceTpm);
        mac.update(command.encryptionNonces());
        mac.update((byte) attributes);
        return mac.doFinal();
    }

    /**
     * Whether a response HMAC is HMAC(key, rpHash || nonceTPM || nonceCaller || sessionAttributes),
     * {@code mac} keyed with the session's HMAC key.
     */
    static boolean responseHmacMatches(TpmAlg alg, Mac mac, Session.ResponseContext context,
            AuthResponse response, byte[] nonceCaller) {
        mac.update(rpHash(alg, context));
        mac.update(response.nonce());
        mac.update(nonceCaller);
        mac.update((byte) response.attributes());
        return MessageDigest.isEqual(mac.doFinal(), response.hmac());
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
