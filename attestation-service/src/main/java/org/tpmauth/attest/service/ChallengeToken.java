package org.tpmauth.attest.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * What the service remembers between the two enrollment round trips, carried by the machine: the
 * credential it must recover, the keys the service has judged, and an expiry. Sealed with AES-256-GCM
 * under the service key every instance shares, so any instance can finish an enrollment another began,
 * and the machine can neither read the credential nor alter anything. {@code id} makes each token
 * usable once (the database remembers used ids).
 *
 * <p>Sealed form: {@code version 0x01 || IV (12) || GCM(payload) || tag (16)}, additional data
 * {@code "tpmauth-enroll-v1"}; payload in TPM wire format: {@code u64 expiry (epoch seconds) ||
 * sized id || sized credential || sized device || sized group || sized AK TPMT_PUBLIC || sized key
 * TPMT_PUBLIC}.
 */
public record ChallengeToken(byte[] id, Instant expires, byte[] credential, String device, String group,
        TpmtPublic ak, TpmtPublic key) {
    private static final int VERSION = 1;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] AAD = "tpmauth-enroll-v1".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_FIELD = 2048;
    private static final long MAX_EPOCH_SECOND = 32503680000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new challenge with a random id. */
    public static ChallengeToken issue(Instant expires, byte[] credential, String device, String group, TpmtPublic ak,
            TpmtPublic key) {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return new ChallengeToken(id, expires, credential, device, group, ak, key);
    }

    /** The id as hex, as the database records it. */
    public String idHex() {
        return HexFormat.of().formatHex(id);
    }

    /** The sealed token, base64url without padding. */
    public String seal(SecretKey serviceKey) {
        byte[] payload = TpmWriter.marshal(out -> out.u64(expires.getEpochSecond()).sized(id).sized(credential)
                .sized(device.getBytes(StandardCharsets.UTF_8)).sized(group.getBytes(StandardCharsets.UTF_8))
                .sized(TpmWriter.marshal(ak::marshal)).sized(TpmWriter.marshal(key::marshal)));
        return sealPayload(payload, serviceKey);
    }

    /** {@code version || IV || AES-GCM(payload) || tag}, base64url. */
    static String sealPayload(byte[] payload, SecretKey serviceKey) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, serviceKey, new GCMParameterSpec(TAG_BITS, iv));
            gcm.updateAAD(AAD);
            byte[] sealed = gcm.doFinal(payload);
            byte[] token = new byte[1 + IV_BYTES + sealed.length];
            token[0] = VERSION;
            System.arraycopy(iv, 0, token, 1, IV_BYTES);
            System.arraycopy(sealed, 0, token, 1 + IV_BYTES, sealed.length);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a token this service (or another instance with the same key) sealed, and checks its expiry.
     *
     * @throws Refusal when the token is malformed, forged, sealed under another key, or expired
     */
    public static ChallengeToken open(String token, SecretKey serviceKey, Instant now) throws Refusal {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token.trim());
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest("token", "the enrollment token is not base64url: " + e.getMessage());
        }
        if (raw.length < 1 + IV_BYTES + TAG_BITS / 8 || raw[0] != VERSION) {
            throw Refusal.badRequest("token", "the enrollment token is not a version 1 token of this service; "
                    + "start the enrollment again");
        }
        byte[] payload;
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, serviceKey, new GCMParameterSpec(TAG_BITS, raw, 1, IV_BYTES));
            gcm.updateAAD(AAD);
            payload = gcm.doFinal(raw, 1 + IV_BYTES, raw.length - 1 - IV_BYTES);
        } catch (AEADBadTagException e) {
            throw Refusal.forbidden("token", "the enrollment token was altered, or sealed by a service with another "
                    + "key; start the enrollment again");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
        ChallengeToken t;
        try {
            TpmReader in = new TpmReader(payload).enter("enrollment token");
            long expiry = in.u64();
            if (expiry < 0 || expiry > MAX_EPOCH_SECOND) {
                throw in.error("expiry " + Long.toUnsignedString(expiry) + " is not a time before the year 3000");
            }
            Instant expires = Instant.ofEpochSecond(expiry);
            byte[] id = in.sized(MAX_FIELD);
            byte[] credential = in.sized(MAX_FIELD);
            String device = new String(in.sized(MAX_FIELD), StandardCharsets.UTF_8);
            String group = new String(in.sized(MAX_FIELD), StandardCharsets.UTF_8);
            TpmtPublic ak = PublicAreas.read(in.sized(MAX_FIELD), "ak");
            TpmtPublic key = PublicAreas.read(in.sized(MAX_FIELD), "key");
            in.expectEnd();
            t = new ChallengeToken(id, expires, credential, device, group, ak, key);
        } catch (TpmFormatException | IllegalArgumentException e) {
            // only this service's key seals tokens, so this is a bug or a key shared with something else
            throw Refusal.badRequest("token", "the enrollment token's content is malformed: " + e.getMessage());
        }
        if (!now.isBefore(t.expires())) {
            throw Refusal.forbidden("token", "the enrollment token expired at " + t.expires()
                    + "; start the enrollment again");
        }
        return t;
    }

    /** Whether {@code answer} is the credential, in time independent of where they differ. */
    public boolean matches(byte[] answer) {
        return java.security.MessageDigest.isEqual(credential, answer);
    }

    @Override
    public String toString() {
        return "ChallengeToken[id=" + idHex() + ", device=" + device + ", group=" + group + ", expires=" + expires + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChallengeToken t && Arrays.equals(id, t.id);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(id);
    }
}
