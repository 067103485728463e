package org.tpmauth.pkcs11;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import org.tpmauth.tls.TpmKeyStoreParameter;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.TpmProvider;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.commands.Capabilities;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.types.TpmaObject;

/**
 * The token: one slot over one keystore directory, served through tls-auth's {@code TPM2} KeyStore
 * ({@link TpmKeyStoreParameter}: {@code NAME.key} + {@code NAME.crt}). Each alias gives a
 * private key, a public key and a certificate object labelled with the alias.
 *
 * <p>The PIN: with a token PIN (the service's --pin-file), login checks it, and keys that have a password
 * take the PIN as their password. Without one, the PIN is the password of the keystore's
 * password-protected keys (checked by the TPM with a signature); a keystore of keys without passwords
 * needs no login. Either way a {@link PinGuard} refuses tries before the TPM's dictionary-attack
 * lockout would lock every key.
 */
public final class Token {
    static final long SLOT_ID = 1;
    /** A token label is 32 blank-padded bytes. */
    static final int LABEL_SIZE = 32;

    private final KeyStore keyStore;
    private final String label;
    private final String manufacturer;
    private final String serial;
    private final List<TokenObject> objects;
    private final Map<Long, TokenObject> byHandle;
    private final long[] mechanismList;
    private final Map<String, Boolean> hasPassword;
    private final Set<Long> mechanisms;
    private final byte[] tokenPin;
    private final PinGuard guard;
    private final Object tpmLock = new Object();

    private Token(KeyStore keyStore, String label, String manufacturer, String serial, List<TokenObject> objects,
            Map<String, Boolean> hasPassword, Set<Long> mechanisms, byte[] tokenPin, PinGuard guard) {
        this.keyStore = keyStore;
        this.label = label;
        this.manufacturer = manufacturer;
        this.serial = serial;
        this.objects = objects;
        Map<Long, TokenObject> handles = new HashMap<>();
        objects.forEach(o -> handles.put(o.handle(), o));
        this.byHandle = Map.copyOf(handles);
        this.mechanismList = mechanisms.stream().mapToLong(Long::longValue).toArray();
        this.hasPassword = hasPassword;
        this.mechanisms = mechanisms;
        this.tokenPin = tokenPin;
        this.guard = guard;
    }

    /**
     * Opens the keystore directory {@code dir} on the TPM of {@code keys}. {@code tokenPin} is the PIN
     * every login must give, or {@code null} for "the PIN is the keys' password".
     */
    public static Token open(TpmKeys keys, Path dir, String label, byte[] tokenPin) throws IOException {
        KeyStore store;
        try {
            store = KeyStore.getInstance(TpmProvider.NAME, TpmProvider.install());
            store.load(new TpmKeyStoreParameter(keys, new TpmKeyStoreParameter.Directory(dir)));
        } catch (GeneralSecurityException e) {
            throw new IOException("keystore " + dir + ": " + e.getMessage(), e);
        }
        List<String> aliases = Collections.list(uncheckedAliases(store));
        Map<String, Boolean> hasPassword = new LinkedHashMap<>();
        for (String alias : aliases) {
            Path keyFile = new TpmKeyStoreParameter.Directory(dir).existingKeyFile(alias)
                    .orElseThrow(() -> new IOException("keystore " + dir + ": the key file of '" + alias + "' is gone"));
            hasPassword.put(alias, Tss2KeyFile.read(keyFile).needsPassword());
        }
        boolean privateObjects = tokenPin != null || hasPassword.containsValue(true);
        List<TokenObject> objects = new ArrayList<>();
        Set<Long> mechanisms = new LinkedHashSet<>();
        for (int i = 0; i < aliases.size(); i++) {
            String alias = aliases.get(i);
            long[] allowed = mechanismsOf(keys, store, alias);
            for (long m : allowed) {
                mechanisms.add(m);
            }
            objects.addAll(KeyObjects.of(i, alias, certificate(store, alias), allowed, privateObjects));
        }
        SortedMap<Integer, Integer> properties = Capabilities.properties(keys.tpm());
        PinGuard guard = PinGuard.forTpm(properties.getOrDefault(TpmPt.MAX_AUTH_FAIL, 3),
                properties.getOrDefault(TpmPt.LOCKOUT_INTERVAL, 1000));
        String manufacturer = TpmPt.ascii(properties.getOrDefault(TpmPt.MANUFACTURER, 0)).trim();
        String serial = HexFormat.of().formatHex(sha256(dir.toAbsolutePath().normalize().toString())).substring(0, 16);
        return new Token(store, label, manufacturer, serial, List.copyOf(objects), Collections.unmodifiableMap(hasPassword),
                Collections.unmodifiableSet(mechanisms), tokenPin == null ? null : tokenPin.clone(), guard);
    }

    private static java.util.Enumeration<String> uncheckedAliases(KeyStore store) throws IOException {
        try {
            return store.aliases();
        } catch (GeneralSecurityException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static X509Certificate certificate(KeyStore store, String alias) throws IOException {
        try {
            return (X509Certificate) store.getCertificate(alias);
        } catch (GeneralSecurityException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The sign mechanisms of an alias's key; raw RSA only for a key the TPM lets decrypt. */
    private static long[] mechanismsOf(TpmKeys keys, KeyStore store, String alias) throws IOException {
        TpmPrivateKey key;
        try {
            key = (TpmPrivateKey) store.getKey(alias, null); // loading needs no password; signing may
        } catch (GeneralSecurityException | TpmException e) {
            throw new IOException("key '" + alias + "' cannot be loaded into the TPM: " + e.getMessage(), e);
        }
        boolean rsa = key.publicKey() instanceof RSAPublicKey;
        boolean decrypt = (key.key().publicArea().objectAttributes() & TpmaObject.DECRYPT) != 0;
        return java.util.Arrays.stream(SignMechanism.values())
                .filter(m -> m.rsa == rsa && (m != SignMechanism.RSA_X_509 || decrypt))
                .mapToLong(m -> m.type).toArray();
    }

    /** The keystore aliases served, in order. */
    public List<String> aliases() {
        return List.copyOf(hasPassword.keySet());
    }

    String label() {
        return label;
    }

    String manufacturer() {
        return manufacturer.isEmpty() ? "tpmauth" : manufacturer;
    }

    String serial() {
        return serial;
    }

    List<TokenObject> objects() {
        return objects;
    }

    Set<Long> mechanisms() {
        return mechanisms;
    }

    /** Whether programs must log in: a token PIN, or a key with a password. */
    boolean loginRequired() {
        return tokenPin != null || hasPassword.containsValue(true);
    }

    boolean pinLocked() {
        return guard.locked();
    }

    Optional<TokenObject> object(long handle) {
        return Optional.ofNullable(byHandle.get(handle));
    }

    /** The mechanisms in C_GetMechanismList's order (a copy). */
    long[] mechanismList() {
        return mechanismList.clone();
    }

    /** C_Login: checks the PIN against the token PIN or, by a TPM signature, against the keys' password. */
    void checkPin(byte[] pin) throws Pkcs11Exception {
        guard.check();
        boolean right;
        if (tokenPin != null) {
            right = MessageDigest.isEqual(tokenPin, pin);
        } else {
            Optional<String> protectedKey = hasPassword.entrySet().stream().filter(Map.Entry::getValue)
                    .map(Map.Entry::getKey).findFirst();
            right = protectedKey.isEmpty() || keyAccepts(protectedKey.get(), pin);
        }
        if (!right) {
            guard.failed();
            throw new Pkcs11Exception(Pkcs11.CKR_PIN_INCORRECT, "wrong PIN" + (guard.locked()
                    ? "; further tries are refused for a while, so that the TPM never locks out" : ""));
        }
    }

    /** Signs a throwaway digest with the key under {@code pin} as its password: the TPM's password check. */
    private boolean keyAccepts(String alias, byte[] pin) throws Pkcs11Exception {
        TpmPrivateKey key = privateKey(alias, pin);
        boolean rsa = key.publicKey() instanceof RSAPublicKey;
        SignOperation check = SignOperation.start(Mechanism.of(rsa ? Pkcs11.CKM_SHA256_RSA_PKCS : Pkcs11.CKM_ECDSA_SHA256),
                key);
        check.update(new byte[0]);
        try {
            sign(check);
            return true;
        } catch (Pkcs11Exception e) {
            // an empty PIN for a key with a password is a wrong PIN too (and counted by the TPM)
            if (e.rv == Pkcs11.CKR_PIN_INCORRECT || e.rv == Pkcs11.CKR_USER_NOT_LOGGED_IN) {
                return false;
            }
            throw e;
        }
    }

    /** The TPM key of an alias, with the PIN as its password when it has one. */
    TpmPrivateKey privateKey(String alias, byte[] pin) throws Pkcs11Exception {
        char[] password = hasPassword.get(alias) && pin != null ? new String(pin, StandardCharsets.UTF_8).toCharArray()
                : null;
        synchronized (tpmLock) {
            try {
                return (TpmPrivateKey) keyStore.getKey(alias, password);
            } catch (GeneralSecurityException | TpmException e) {
                throw new Pkcs11Exception(Pkcs11.CKR_DEVICE_ERROR, "key '" + alias + "' cannot be loaded: "
                        + e.getMessage(), e);
            } finally {
                if (password != null) {
                    java.util.Arrays.fill(password, '\0');
                }
            }
        }
    }

    /** Runs a signature; the TPM does one thing at a time, and the KeyStore's key cache is shared. */
    byte[] sign(SignOperation operation) throws Pkcs11Exception {
        synchronized (tpmLock) {
            return operation.sign();
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
