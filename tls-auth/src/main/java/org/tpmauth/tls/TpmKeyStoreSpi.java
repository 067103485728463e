package org.tpmauth.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.KeyStoreSpi;
import java.security.PublicKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.fapi.policy.PolicyException;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;

/**
 * The {@code TPM2} KeyStore: read-only key entries whose keys stay in the TPM. Load it with a
 * {@link TpmKeyStoreParameter}; every key is checked against its certificate while loading. Keys are
 * loaded into the TPM by {@code getKey}, with its password as the key's authValue.
 */
final class TpmKeyStoreSpi extends KeyStoreSpi {

    private final Map<String, Slot> slots = new LinkedHashMap<>();

    /** One alias: how to load its key, its public key and chain, and the key once loaded. */
    private static final class Slot {
        final Function<byte[], TpmKey> loader;
        final X509Certificate[] chain;
        final TpmKeys keys;
        TpmPrivateKey loaded;
        byte[] loadedPassword;

        Slot(TpmKeys keys, Function<byte[], TpmKey> loader, X509Certificate[] chain) {
            this.keys = keys;
            this.loader = loader;
            this.chain = chain;
        }
    }

    @Override
    public void engineLoad(KeyStore.LoadStoreParameter param) throws IOException {
        if (!(param instanceof TpmKeyStoreParameter p)) {
            throw new IllegalArgumentException("a TPM2 KeyStore loads from a TpmKeyStoreParameter, not " + param);
        }
        slots.clear();
        for (TpmKeyStoreParameter.Source source : p.sources()) {
            if (source instanceof TpmKeyStoreParameter.KeyFile f) {
                addKeyFile(p.keys(), f);
            } else if (source instanceof TpmKeyStoreParameter.Persistent persistent) {
                addPersistent(p.keys(), persistent);
            } else if (source instanceof TpmKeyStoreParameter.FapiKey k) {
                addFapiKey(p.keys(), k);
            } else if (source instanceof TpmKeyStoreParameter.Directory d) {
                for (TpmKeyStoreParameter.KeyFile f : d.pairs()) {
                    addKeyFile(p.keys(), f);
                }
            }
        }
    }

    private void addPersistent(TpmKeys keys, TpmKeyStoreParameter.Persistent persistent) throws IOException {
        PublicKey publicKey;
        try {
            publicKey = keys.persistent(persistent.handle(), new byte[0]).publicKey();
        } catch (TpmException e) {
            throw new IOException("no key at persistent handle 0x" + Integer.toHexString(persistent.handle())
                    + ": " + e.getMessage(), e);
        }
        add(persistent.alias(), keys, publicKey, password -> keys.persistent(persistent.handle(), password),
                persistent.chain());
    }

    private void addFapiKey(TpmKeys keys, TpmKeyStoreParameter.FapiKey k) throws IOException {
        if (k.keystore().keys() != keys) {
            throw new IllegalArgumentException("the FAPI keystore of key '" + k.alias() + "' loads into other TpmKeys "
                    + "than the KeyStore's; make it with new FapiKeystore(config, keys)");
        }
        PublicKey publicKey;
        try {
            publicKey = k.keystore().publicKey(k.path());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException("key '" + k.alias() + "': " + e.getMessage(), e);
        }
        add(k.alias(), keys, publicKey, password -> k.keystore().load(k.path(), password), k.chain());
    }

    private void addKeyFile(TpmKeys keys, TpmKeyStoreParameter.KeyFile f) throws IOException {
        Tss2KeyFile file = f.key();
        PublicKey publicKey;
        try {
            publicKey = new TpmReader(file.pubkey()).struct("TPM2B_PUBLIC of key '" + f.alias() + "'",
                    TpmtPublic::readSized).toPublicKey();
        } catch (TpmFormatException | IllegalArgumentException e) {
            throw new IOException("key '" + f.alias() + "': unreadable public area: " + e.getMessage(), e);
        }
        add(f.alias(), keys, publicKey, password -> keys.load(file, password), f.chain());
    }

    private void add(String alias, TpmKeys keys, PublicKey publicKey, Function<byte[], TpmKey> loader,
            List<X509Certificate> chain) throws IOException {
        if (chain.isEmpty()) {
            throw new IOException("key '" + alias + "' has no certificate");
        }
        if (slots.containsKey(alias)) {
            throw new IOException("alias '" + alias + "' appears twice");
        }
        try {
            Certificates.requireMatch(alias, publicKey, chain.get(0));
        } catch (Certificates.KeyMismatchException e) {
            throw new IOException(e.getMessage(), e);
        }
        slots.put(alias, new Slot(keys, loader, chain.toArray(new X509Certificate[0])));
    }

    @Override
    public void engineLoad(InputStream stream, char[] password) throws IOException {
        if (stream != null) {
            throw new IOException("a TPM2 KeyStore loads from a TpmKeyStoreParameter, not from a stream");
        }
        slots.clear();
    }

    @Override
    public synchronized Key engineGetKey(String alias, char[] password) throws UnrecoverableKeyException {
        Slot slot = slots.get(alias);
        if (slot == null) {
            return null;
        }
        byte[] auth = password == null ? new byte[0] : new String(password).getBytes(StandardCharsets.UTF_8);
        if (slot.loaded != null && Arrays.equals(auth, slot.loadedPassword)) {
            return slot.loaded;
        }
        try {
            TpmKey key = slot.loader.apply(auth);
            if (slot.loaded != null && !slot.loaded.key().isPersistent()) {
                slot.keys.unload(slot.loaded.key());
            }
            slot.loaded = TpmPrivateKey.of(slot.keys, key);
            slot.loadedPassword = auth;
            return slot.loaded;
        } catch (TpmException | IllegalArgumentException | PolicyException e) {
            UnrecoverableKeyException u = new UnrecoverableKeyException("TPM key '" + alias + "' cannot be loaded: "
                    + e.getMessage());
            u.initCause(e);
            throw u;
        }
    }

    @Override
    public Certificate[] engineGetCertificateChain(String alias) {
        Slot slot = slots.get(alias);
        return slot == null ? null : slot.chain.clone();
    }

    @Override
    public Certificate engineGetCertificate(String alias) {
        Slot slot = slots.get(alias);
        return slot == null ? null : slot.chain[0];
    }

    @Override
    public Date engineGetCreationDate(String alias) {
        Slot slot = slots.get(alias);
        return slot == null ? null : slot.chain[0].getNotBefore();
    }

    @Override
    public void engineSetKeyEntry(String alias, Key key, char[] password, Certificate[] chain)
            throws KeyStoreException {
        throw new KeyStoreException("a TPM2 KeyStore is read-only: create keys with tpmauth key create");
    }

    @Override
    public void engineSetKeyEntry(String alias, byte[] key, Certificate[] chain) throws KeyStoreException {
        throw new KeyStoreException("a TPM2 KeyStore is read-only");
    }

    @Override
    public void engineSetCertificateEntry(String alias, Certificate cert) throws KeyStoreException {
        throw new KeyStoreException("a TPM2 KeyStore holds key entries only");
    }

    @Override
    public void engineDeleteEntry(String alias) {
        slots.remove(alias);
    }

    @Override
    public Enumeration<String> engineAliases() {
        return Collections.enumeration(List.copyOf(slots.keySet()));
    }

    @Override
    public boolean engineContainsAlias(String alias) {
        return slots.containsKey(alias);
    }

    @Override
    public int engineSize() {
        return slots.size();
    }

    @Override
    public boolean engineIsKeyEntry(String alias) {
        return slots.containsKey(alias);
    }

    @Override
    public boolean engineIsCertificateEntry(String alias) {
        return false;
    }

    @Override
    public String engineGetCertificateAlias(Certificate cert) {
        return slots.entrySet().stream().filter(e -> e.getValue().chain[0].equals(cert)).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    @Override
    public void engineStore(OutputStream stream, char[] password) throws IOException {
        throw new IOException("a TPM2 KeyStore is not stored: its key files and certificates are");
    }
}
