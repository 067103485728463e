package org.tpmauth.attestation.quote;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Binds evidence to one TLS connection: the quote's nonce is SHA-256 over a label of ours and the
 * connection's RFC 9266 "tls-exporter" value, so both ends compute it without a round trip and a quote
 * recorded on one connection is useless on any other. The label keeps our nonces apart from any other
 * use of the same exporter. This class only turns the exported bytes into the nonce; the protocol
 * adapters (EST renewal, TLS, MQTT) take them from their connection.
 */
public final class ChannelBinding {
    /** Domain separation for the nonce: nothing else hashes the exporter under this label. */
    public static final String LABEL = "tpmauth-attestation-v1";
    /** The length of a tls-exporter channel binding (RFC 9266). */
    public static final int EXPORTER_LENGTH = 32;

    private static final byte[] LABEL_BYTES = (LABEL + "\0").getBytes(StandardCharsets.US_ASCII);

    private ChannelBinding() {
    }

    /** The quote nonce for a connection whose tls-exporter binding is {@code exported}. */
    public static byte[] nonce(byte[] exported) {
        Objects.requireNonNull(exported, "exported");
        if (exported.length != EXPORTER_LENGTH) {
            throw new IllegalArgumentException("a tls-exporter channel binding has " + EXPORTER_LENGTH
                    + " bytes, got " + exported.length);
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(LABEL_BYTES);
            return sha256.digest(exported);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
