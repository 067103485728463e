package org.tpmauth.vpn.openvpn;

import java.util.Locale;

/**
 * The ALG field of a {@code >PK_SIGN:DATA,ALG} request (management version 3 and later), e.g. {@code ECDSA},
 * {@code RSA_PKCS1_PADDING}, {@code RSA_NO_PADDING}, {@code RSA_PKCS1_PSS_PADDING,hashalg=SHA256,saltlen=digest},
 * or any of these with {@code ,data=message} (OpenVPN sends the message, not its digest, when the
 * backend announced {@code management-external-key digest}).
 *
 * @param padding   the padding or signature kind, {@link Padding#UNKNOWN} for a name OpenVPN may add later
 * @param name      the kind as OpenVPN spelt it (for messages)
 * @param hashName  {@code hashalg}, or null when absent
 * @param saltLength {@code saltlen} as sent ("digest", "max", or a number), or null when absent
 * @param message   whether DATA is the message to hash ({@code data=message}) rather than a digest
 */
public record SignAlgorithm(Padding padding, String name, String hashName, String saltLength, boolean message) {
    /** The signature kinds OpenVPN names. */
    public enum Padding { ECDSA, RSA_PKCS1_PADDING, RSA_NO_PADDING, RSA_PKCS1_PSS_PADDING, ED25519, ED448, UNKNOWN }

    /** What a request without ALG means (management version 2): the key's own default scheme. */
    public static final SignAlgorithm LEGACY = new SignAlgorithm(Padding.UNKNOWN, "", null, null, false);

    /**
     * Parses ALG.
     *
     * @throws IllegalArgumentException for a parameter that is not {@code name=value}, or a repeated one
     */
    public static SignAlgorithm parse(String field) {
        String[] parts = field.split(",", -1);
        String name = parts[0].strip();
        String hash = null;
        String salt = null;
        String data = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("signature parameter '" + p + "' is not name=value");
            }
            String key = p.substring(0, eq).toLowerCase(Locale.ROOT);
            String value = p.substring(eq + 1);
            switch (key) {
                case "hashalg" -> hash = once(key, hash, value);
                case "saltlen" -> salt = once(key, salt, value);
                case "data" -> data = once(key, data, value);
                default -> { } // a parameter OpenVPN may add later does not change what we sign
            }
        }
        if (data != null && !data.equals("message") && !data.equals("digest")) {
            throw new IllegalArgumentException("data=" + data + " is neither 'message' nor 'digest'");
        }
        return new SignAlgorithm(padding(name), name, hash, salt, "message".equals(data));
    }

    private static String once(String key, String old, String value) {
        if (old != null) {
            throw new IllegalArgumentException("signature parameter " + key + " given twice");
        }
        return value;
    }

    private static Padding padding(String name) {
        for (Padding p : Padding.values()) {
            if (p != Padding.UNKNOWN && p.name().equals(name)) {
                return p;
            }
        }
        return Padding.UNKNOWN;
    }

    @Override
    public String toString() {
        if (this == LEGACY) {
            return "(no algorithm: management version 2)";
        }
        StringBuilder s = new StringBuilder(name.isEmpty() ? "(empty)" : name);
        if (hashName != null) {
            s.append(",hashalg=").append(hashName);
        }
        if (saltLength != null) {
            s.append(",saltlen=").append(saltLength);
        }
        return message ? s.append(",data=message").toString() : s.toString();
    }
}
