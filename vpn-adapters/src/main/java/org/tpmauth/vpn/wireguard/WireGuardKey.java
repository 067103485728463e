package org.tpmauth.vpn.wireguard;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.security.auth.Destroyable;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;

/**
 * A WireGuard private key: a Curve25519 scalar, 32 bytes, written as base64 by {@code wg genkey}. It
 * lives in memory only as long as needed: {@link #destroy()} overwrites it, and nothing here prints it.
 */
public final class WireGuardKey implements Destroyable {
    /** Bytes of a Curve25519 key. */
    public static final int SIZE = 32;
    /** Characters of a base64 key (with one '=' pad). */
    private static final int BASE64_SIZE = 44;

    private final byte[] scalar;
    private boolean destroyed;

    private WireGuardKey(byte[] scalar) {
        this.scalar = scalar;
    }

    /** A new key, clamped as {@code wg genkey} makes it (RFC 7748). */
    public static WireGuardKey generate() {
        X25519PrivateKeyParameters p = new X25519PrivateKeyParameters(new SecureRandom());
        return new WireGuardKey(p.getEncoded());
    }

    /** Takes the 32 raw bytes (copied; the caller may wipe its own). */
    public static WireGuardKey of(byte[] raw) {
        if (raw.length != SIZE) {
            throw new IllegalArgumentException("a WireGuard key has " + SIZE + " bytes, not " + raw.length);
        }
        return new WireGuardKey(raw.clone());
    }

    /**
     * Reads a key in {@code wg genkey}'s form: 44 base64 characters, surrounding white space allowed.
     * The message of a malformed key never contains the input.
     */
    public static WireGuardKey fromBase64(byte[] text) {
        int start = 0;
        int end = text.length;
        while (start < end && Character.isWhitespace(text[start])) {
            start++;
        }
        while (end > start && Character.isWhitespace(text[end - 1])) {
            end--;
        }
        if (end - start != BASE64_SIZE) {
            throw new IllegalArgumentException("not a WireGuard key: expected " + BASE64_SIZE
                    + " base64 characters as `wg genkey` writes them, got " + (end - start));
        }
        byte[] trimmed = Arrays.copyOfRange(text, start, end);
        try {
            return new WireGuardKey(Base64.getDecoder().decode(trimmed));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a WireGuard key: the text is not base64");
        } finally {
            Arrays.fill(trimmed, (byte) 0);
        }
    }

    /** The public key, base64, as {@code wg pubkey} prints it. */
    public String publicKey() {
        byte[] pub = new X25519PrivateKeyParameters(raw()).generatePublicKey().getEncoded();
        return Base64.getEncoder().encodeToString(pub);
    }

    /** The key in {@code wg}'s form plus a newline, as bytes the caller must wipe after use. */
    public byte[] base64Line() {
        byte[] b64 = Base64.getEncoder().encode(raw());
        byte[] line = Arrays.copyOf(b64, b64.length + 1);
        line[b64.length] = '\n';
        Arrays.fill(b64, (byte) 0);
        return line;
    }

    /** A copy of the 32 raw bytes; the caller must wipe it after use. */
    public byte[] raw() {
        if (destroyed) {
            throw new IllegalStateException("the WireGuard key was destroyed");
        }
        return scalar.clone();
    }

    @Override
    public void destroy() {
        Arrays.fill(scalar, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return destroyed ? "WireGuardKey[destroyed]" : "WireGuardKey[public " + publicKey() + "]";
    }

    static boolean isPublicKey(String text) {
        try {
            return Base64.getDecoder().decode(text.getBytes(StandardCharsets.US_ASCII)).length == SIZE;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
