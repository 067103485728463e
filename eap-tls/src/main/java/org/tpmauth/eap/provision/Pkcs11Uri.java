package org.tpmauth.eap.provision;

import java.nio.charset.StandardCharsets;

/** A PKCS#11 URI (RFC 7512) naming one object of a token by token label, object label and type. */
public record Pkcs11Uri(String token, String object, String type) {
    /** The private key labelled {@code object} on {@code token}. */
    public static Pkcs11Uri privateKey(String token, String object) {
        return new Pkcs11Uri(token, object, "private");
    }

    /** The certificate labelled {@code object} on {@code token}. */
    public static Pkcs11Uri certificate(String token, String object) {
        return new Pkcs11Uri(token, object, "cert");
    }

    @Override
    public String toString() {
        return "pkcs11:token=" + encode(token) + ";object=" + encode(object) + ";type=" + type;
    }

    /** RFC 7512 path attribute values: unreserved characters as they are, the rest percent-encoded. */
    private static String encode(String value) {
        StringBuilder b = new StringBuilder();
        for (byte c : value.getBytes(StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append(String.format("%%%02X", c & 0xff));
            }
        }
        return b.toString();
    }
}
