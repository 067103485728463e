package org.tpmauth.attest.service.operator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token a revocation form carries, against cross-site requests: an HMAC over the operator's
 * certificate, the device and an expiry. Another site can make the operator's browser POST, but cannot
 * read the confirmation page to learn a token. The HMAC key is derived from the service's token key,
 * which every instance shares, so any instance accepts a confirmation another one served.
 */
final class FormToken {
    static final Duration LIFETIME = Duration.ofMinutes(15);
    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;

    FormToken(SecretKey serviceKey) {
        // a key of its own (not the token key itself, which seals enrollment tokens with AES-GCM)
        this.key = new SecretKeySpec(mac(new SecretKeySpec(serviceKey.getEncoded(), HMAC),
                "tpmauth operator form key"), HMAC);
    }

    /** A token for {@code operator} (its certificate's SHA-256) to revoke {@code device}, valid for {@link #LIFETIME}. */
    String issue(Operator operator, String device, Instant now) {
        long expiry = now.plus(LIFETIME).getEpochSecond();
        return expiry + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(operator, device, expiry));
    }

    /** Whether {@code token} was issued to {@code operator} for {@code device} and has not expired. */
    boolean valid(String token, Operator operator, String device, Instant now) {
        int dot = token == null ? -1 : token.indexOf('.');
        if (dot < 1) {
            return false;
        }
        try {
            long expiry = Long.parseLong(token.substring(0, dot));
            byte[] given = Base64.getUrlDecoder().decode(token.substring(dot + 1));
            return now.getEpochSecond() <= expiry && MessageDigest.isEqual(given, mac(operator, device, expiry));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private byte[] mac(Operator operator, String device, long expiry) {
        return mac(key, "revoke\0" + Base64.getEncoder().encodeToString(operator.fingerprint()) + "\0" + device
                + "\0" + expiry);
    }

    private static byte[] mac(SecretKeySpec key, String message) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
