package org.tpmauth.tss.keys;

import java.security.interfaces.RSAPublicKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.Capabilities;
import org.tpmauth.tss.commands.Create;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.EvictControl;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.Load;
import org.tpmauth.tss.commands.ReadPublic;
import org.tpmauth.tss.commands.RsaDecrypt;
import org.tpmauth.tss.commands.Sign;
import org.tpmauth.tss.commands.TpmCommand;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmsEccPoint;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmuPublicId;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Key operations on one TPM: create keys as TSS2 key files, load them (re-creating the storage
 * primary once, not per key), sign, persist and evict. Closing flushes what this instance loaded.
 *
 * <p>A loaded key stays loaded (with a resource-managed {@link Tpm}, any number of them) and is
 * reloaded transparently when the TPM lost it: after a restart, TPM_RC_INITIALIZE, or a handle that
 * vanished (TPM_RC_HANDLE, TPM_RC_REFERENCE_Hn), the primary is created again, the key loaded again
 * from its file, and the command sent once more. Safe for any number of threads. The reload is
 * safe with a resource-managed Tpm ({@link Tpm#open}): its handles are never reused for another
 * object, whereas a bare TPM may give a reloaded key the handle another lost key still holds.
 */
public final class TpmKeys implements AutoCloseable {
    /** Where the TCG provisioning guidance puts the storage primary (SRK) when a machine persists it. */
    static final int PERSISTENT_SRK = 0x81000001;

    private final Tpm tpm;
    /** Loaded storage primaries by hierarchy; re-created once per TPM, not per key. Guarded by this. */
    private final Map<Integer, StorageKey> primaries = new HashMap<>();
    /** The persistent SRK key files with parent TPM_RH_OWNER load under, once looked up; guarded by this. */
    private Optional<StorageKey> persistentSrk;

    /**
     * A storage key loaded or persistent: its handle, and its public area (what a session salt is encrypted to)
     * when known, else null (read when a session needs it).
     */
    record StorageKey(int handle, TpmtPublic publicArea) {
    }
    /** The keys this instance loaded, by the handle their TpmKey carries. */
    private final Map<Integer, Loaded> loaded = new ConcurrentHashMap<>();

    /**
     * What it takes to load a key again and authorize its use; {@link #handle} is where it is loaded now.
     * A key with a policy keeps its auth value for the policy session's PolicyAuthValue.
     */
    private static final class Loaded {
        final int parent;
        final TpmtPublic publicArea;
        final byte[] privateBlob;
        final List<TpmPolicy> policy;
        final List<TpmAuthPolicy> signed;
        final byte[] authValue;
        /** Loads and authorizes a key no key file describes; null for key files. */
        final KeySource source;
        volatile int handle;

        Loaded(int parent, TpmtPublic publicArea, byte[] privateBlob, Tss2KeyFile file, byte[] authValue) {
            this.parent = parent;
            this.publicArea = publicArea;
            this.privateBlob = privateBlob;
            this.policy = file.policy();
            this.signed = file.authPolicy();
            this.authValue = authValue.clone();
            this.source = null;
        }

        Loaded(TpmtPublic publicArea, KeySource source) {
            this.parent = 0;
            this.publicArea = publicArea;
            this.privateBlob = new byte[0];
            this.policy = List.of();
            this.signed = List.of();
            this.authValue = new byte[0];
            this.source = source;
        }
    }

    public TpmKeys(Tpm tpm) {
        this.tpm = tpm;
    }

    public Tpm tpm() {
        return tpm;
    }

    /**
     * Creates a signing key under {@code parent} (TPM_RH_OWNER for the standard storage primary, or a
     * persistent storage key) and returns it as a key file. {@code password} may be empty.
     */
    public Tss2KeyFile create(KeyAlgorithm algorithm, byte[] password, int parent) {
        return create(algorithm, password, parent, List.of(), null);
    }

    /**
     * Creates a signing key as {@link #create(KeyAlgorithm, byte[], int)} that is usable only while
     * {@code pcrs} (unless empty) hold their current values, or, with {@code authorizedBy}, only under a
     * PCR policy that key signed ({@link PolicySigner}; {@code pcrs} empty then). The key file's
     * {@code [1] policy} says so, and a password adds PolicyAuthValue to it.
     */
    public Tss2KeyFile create(KeyAlgorithm algorithm, byte[] password, int parent, List<TpmsPcrSelection> pcrs,
            PublicKey authorizedBy) {
        return create(algorithm, null, password, parent, pcrs, authorizedBy);
    }

    /**
     * Creates a signing key as {@link #create(KeyAlgorithm, byte[], int, List, PublicKey)} whose public area
     * fixes {@code scheme} (null: none, each signature picks its own), as programs need that send a NULL
     * scheme to TPM2_Sign (strongSwan's tpm plugin). Such a key is sign-only.
     */
    public Tss2KeyFile create(KeyAlgorithm algorithm, KeyScheme scheme, byte[] password, int parent,
            List<TpmsPcrSelection> pcrs, PublicKey authorizedBy) {
        byte[] auth = password == null ? new byte[0] : password;
        TpmtPublic template = KeyTemplates.signingKey(algorithm, auth.length > 0, new byte[0], scheme);
        List<TpmPolicy> policy = KeyPolicies.forNewObject(tpm, template.nameAlg(), pcrs, authorizedBy, auth.length > 0);
        TpmtPublic withPolicy = policy.isEmpty() ? template : KeyTemplates.signingKey(algorithm, auth.length > 0,
                TpmPolicy.digest(policy, template.nameAlg()), scheme);
        Create.Response created = underParent(parent, false, storage -> tpm.execute(new Create(storage.handle(),
                TpmsSensitiveCreate.withAuth(auth), withPolicy)));
        byte[] privkey = TpmWriter.marshal(out -> out.sized(created.outPrivate()));
        return Tss2KeyFile.loadable(parent, sized(created.outPublic()), privkey, auth.length == 0, policy);
    }

    /**
     * Loads a key file under its parent. {@code password} (may be empty) authorizes later use of the
     * key; whether it is right shows at the first signature. A key with a {@code [1] policy} is used
     * through a policy session that runs it (with the file's {@code [3]} signed policies when it is an
     * authorized policy; {@link Tss2KeyFile#withSignedPolicy} adds one).
     */
    public TpmKey load(Tss2KeyFile file, byte[] password) {
        if (file.type() != Tss2KeyFile.KeyType.LOADABLE) {
            throw new IllegalArgumentException("the key file holds " + file.type() + ", which cannot be loaded as a"
                    + " signing key");
        }
        TpmtPublic publicArea = whole(file.pubkey(), "TPM2B_PUBLIC of the key file", TpmtPublic::readSized);
        // the file holds the TPM2B_PRIVATE with its size; TPM2_Load's inPrivate is the blob inside
        byte[] privateBlob = whole(file.privkey(), "TPM2B_PRIVATE of the key file", TpmReader::sized);
        Loaded key = new Loaded(file.parent(), publicArea, privateBlob, file, password == null ? new byte[0]
                : password);
        key.handle = loadUnderParent(key);
        loaded.put(key.handle, key);
        return new TpmKey(key.handle, publicArea, session(password));
    }

    /**
     * Loads the key {@code source} describes, whose public area is {@code publicArea}: it is reloaded
     * through {@code source} when the TPM lost it, and every command using it is authorized by
     * {@code source} (a FAPI keystore key under any parent and policy). {@code password} is the one
     * {@code source} uses (may be empty), for the errors of a failed authorization.
     */
    public TpmKey load(TpmtPublic publicArea, KeySource source, byte[] password) {
        Loaded key = new Loaded(publicArea, source);
        key.handle = source.load();
        loaded.put(key.handle, key);
        return new TpmKey(key.handle, publicArea, session(password));
    }

    private int loadUnderParent(Loaded key) {
        if (key.source != null) {
            return key.source.load();
        }
        try {
            return underParent(key.parent, true, parent -> tpm.execute(new Load(parent.handle(), key.privateBlob,
                    key.publicArea))).objectHandle();
        } catch (TpmResponseException e) {
            throw loadFailure(key.parent, e);
        }
    }

    /**
     * Runs a command under a key file's parent, creating the primary again once when the one held vanished.
     * {@link Sealing} shares it, so that keys and sealed data on one TpmKeys share one storage primary.
     * Commands that start with a TPM2_Load ({@code load}) run under the machine's persistent SRK when it has
     * one with the standard template ({@link #storageKey}); when that Load fails (the SRK was made with another
     * unique value, has a password, or is not this file's parent), the primary is created and the command
     * runs once more, and this TpmKeys leaves the persistent SRK alone from then on.
     */
    <T> T underParent(int parentField, boolean load, Function<StorageKey, T> command) {
        StorageKey parent = storageKey(parentField, load);
        try {
            return command.apply(parent);
        } catch (TpmResponseException e) {
            boolean notUnderSrk = parent.handle() == PERSISTENT_SRK && parentField == TpmHandles.RH_OWNER
                    && e.commandCode() == TpmCc.Load;
            if (notUnderSrk) {
                leavePersistentSrk();
            } else if (!vanished(e) || !forgetPrimary(parentField, parent.handle())) {
                throw e;
            }
            return command.apply(storageKey(parentField, load));
        }
    }

    /**
     * TPM2_Sign on the key's handle of the moment. A record, not a capturing lambda: every TLS handshake
     * signs once, so this path runs as profiled (C1) code for thousands of handshakes, and there a capturing
     * lambda's object is made through the method handle runtime (Unsafe.allocateInstance, a call into the
     * VM) instead of a plain allocation.
     */
    private record SignOnHandle(TpmKeys keys, TpmKey key, byte[] digest, TpmtSigScheme scheme)
            implements IntFunction<Sign.Response> {
        @Override
        public Sign.Response apply(int handle) {
            return keys.authorized(key, new Sign(handle, digest, scheme));
        }
    }

    /**
     * Runs a command on a key's current handle; when the TPM lost the key, loads it again and runs the
     * command once more.
     */
    private <T> T onKey(TpmKey key, IntFunction<T> command) {
        Loaded l = loaded.get(key.handle());
        if (l == null) {
            return command.apply(key.handle()); // persistent, or not loaded by this instance
        }
        int handle = l.handle;
        try {
            return command.apply(handle);
        } catch (TpmResponseException e) {
            if (!vanished(e)) {
                throw e;
            }
            reload(l, handle);
            return command.apply(l.handle);
        }
    }

    private void reload(Loaded key, int vanished) {
        synchronized (key) {
            if (key.handle == vanished) { // else another thread reloaded it meanwhile
                flushQuietly(vanished); // a resource manager keeps a lost object's handle until it is flushed
                key.handle = loadUnderParent(key);
            }
        }
    }

    /**
     * Forgets a storage primary the TPM lost, unless another thread already made a new one. Returns
     * whether loading again can help: not for a persistent parent.
     */
    private synchronized boolean forgetPrimary(int hierarchy, int vanished) {
        if (TpmHandles.isPersistent(hierarchy)) {
            return false;
        }
        StorageKey held = primaries.get(hierarchy);
        if (held != null && held.handle() == vanished) {
            primaries.remove(hierarchy);
            flushQuietly(vanished);
        }
        return true;
    }

    /** The TPM lost what the command named: restarted, or the handle vanished. */
    private static boolean vanished(TpmResponseException e) {
        int base = e.baseCode();
        return base == TpmRc.HANDLE || base == TpmRc.INITIALIZE
                || (base >= TpmRc.REFERENCE_H0 && base <= TpmRc.REFERENCE_H6);
    }

    /** Flushes a handle; one the TPM lost (restarted) needs nothing, a persistent one stays. */
    private void flush(int handle) {
        if (TpmHandles.isPersistent(handle)) {
            return;
        }
        try {
            tpm.execute(new FlushContext(handle));
        } catch (TpmResponseException e) {
            if (!vanished(e)) {
                throw e;
            }
        }
    }

    private void flushQuietly(int handle) {
        try {
            tpm.execute(new FlushContext(handle));
        } catch (TpmException e) {
            // gone already
        }
    }

    /** A key persisted at {@code handle}. */
    public TpmKey persistent(int handle, byte[] password) {
        if (!TpmHandles.isPersistent(handle)) {
            throw new IllegalArgumentException(TpmHandles.hex(handle)
                    + " is not a persistent handle (0x81000000-0x81ffffff)");
        }
        TpmtPublic publicArea;
        try {
            publicArea = tpm.execute(new ReadPublic(handle)).outPublic();
        } catch (TpmResponseException e) {
            if (e.baseCode() == TpmRc.HANDLE) {
                throw new TpmException("nothing is persisted at " + TpmHandles.hex(handle)
                        + "; `tpmauth key list` shows the persistent handles", e);
            }
            throw e;
        }
        return new TpmKey(handle, publicArea, session(password));
    }

    /**
     * Signs a digest and returns the TPM's signature structure.
     *
     * @throws TpmResponseException with TPM_RC_AUTH_FAIL / BAD_AUTH when the password given is wrong
     * @throws PasswordRequiredException when the key has a password and none was given
     */
    public TpmtSignature signRaw(TpmKey key, byte[] digest, TpmAlg hash, SigningScheme scheme) {
        checkScheme(key, scheme, hash);
        if (digest.length != hash.digestSize()) {
            throw new IllegalArgumentException("a " + hash.name() + " digest has " + hash.digestSize()
                    + " bytes, not " + digest.length);
        }
        try {
            return onKey(key, new SignOnHandle(this, key, digest, scheme.withHash(hash))).signature();
        } catch (TpmResponseException e) {
            throw authFailure(key, e);
        }
    }

    /**
     * The raw RSA private-key operation (TPM2_RSA_Decrypt with the NULL scheme): {@code block} raised to
     * the private exponent, as a big-endian number of the modulus size. What a padding done outside the
     * TPM needs (PSS with another salt length, PKCS#1 over a non-DigestInfo, "no padding"); the key needs
     * the decrypt attribute, which tpmauth's and tpm2-openssl's signing keys have.
     */
    public byte[] rsaRaw(TpmKey key, byte[] block) {
        if (key.type() != TpmAlg.RSA) {
            throw new IllegalArgumentException("raw RSA needs an RSA key, not " + key.type());
        }
        if ((key.publicArea().objectAttributes() & TpmaObject.DECRYPT) == 0) {
            throw new IllegalArgumentException("raw RSA needs the decrypt attribute, which this sign-only key (fixed "
                    + "scheme " + KeyScheme.of(key.publicArea()).map(KeyScheme::toString).orElse("none") + ") lacks; "
                    + "sign with its own scheme, or use a key created without a fixed scheme");
        }
        int size = ((RSAPublicKey) key.publicKey()).getModulus().bitLength() + 7 >> 3;
        if (block.length > size) {
            throw new IllegalArgumentException("raw RSA takes at most " + size + " bytes, not " + block.length);
        }
        try {
            byte[] out = onKey(key, handle -> authorized(key,
                    new RsaDecrypt(handle, leftPad(block, size), TpmtAsymScheme.NULL, new byte[0]))).message();
            return leftPad(out, size);
        } catch (TpmResponseException e) {
            throw authFailure(key, e);
        }
    }

    /** The TPM takes and gives big-endian numbers of the modulus size, leading zeros included or not. */
    private static byte[] leftPad(byte[] value, int size) {
        if (value.length >= size) {
            return value;
        }
        byte[] padded = new byte[size];
        System.arraycopy(value, 0, padded, size - value.length, value.length);
        return padded;
    }

    /**
     * Signs a digest and returns the signature as openssl and JCA read it: DER for ECDSA, the raw
     * value for PKCS#1 v1.5 and PSS (PSS salt length = digest length).
     */
    public byte[] sign(TpmKey key, byte[] digest, TpmAlg hash, SigningScheme scheme) {
        return SignatureEncoding.standard(signRaw(key, digest, hash, scheme));
    }

    /**
     * Runs a command that uses {@code key}: with its password, or through a policy session (salted to
     * its parent) that satisfies the key file's policy.
     */
    private <R> R authorized(TpmKey key, TpmCommand<R> command) {
        Loaded l = loaded.get(key.handle());
        if (l != null && l.source != null) {
            return l.source.authorize(command);
        }
        if (l == null || l.policy.isEmpty()) {
            return tpm.execute(command, key.auth());
        }
        try (PolicySession s = KeyPolicies.startSession(tpm, l.publicArea.nameAlg(), storageKey(l.parent, true))) {
            KeyPolicies.satisfy(tpm, s, l.policy, l.signed);
            return s.execute(command, l.authValue);
        }
    }

    /**
     * Makes a loaded key persistent at {@code persistentHandle} (owner authorization: empty).
     * Returns the persistent key.
     */
    public TpmKey persist(TpmKey key, int persistentHandle) {
        if (!TpmHandles.isPersistent(persistentHandle)
                || Integer.compareUnsigned(persistentHandle, TpmHandles.PERSISTENT_OWNER_LAST) > 0) {
            throw new IllegalArgumentException(TpmHandles.hex(persistentHandle)
                    + " is not an owner persistent handle; owner keys go in 0x81000000-0x817fffff");
        }
        try {
            onKey(key, handle -> tpm.execute(new EvictControl(TpmHandles.RH_OWNER, handle, persistentHandle)));
        } catch (TpmResponseException e) {
            if (e.baseCode() == TpmRc.NV_DEFINED) {
                throw new TpmException("persistent handle " + TpmHandles.hex(persistentHandle)
                        + " is already in use; pick another, or free it with `tpmauth key evict --handle "
                        + TpmHandles.hex(persistentHandle) + "`", e);
            }
            throw e;
        }
        return new TpmKey(persistentHandle, key.publicArea(), key.auth());
    }

    /** Removes a persistent key from the TPM. */
    public void evict(int persistentHandle) {
        TpmKey key = persistent(persistentHandle, new byte[0]);
        tpm.execute(EvictControl.evict(TpmHandles.RH_OWNER, key.handle()));
    }

    /** Flushes a transient key this instance loaded; persistent keys stay. */
    public void unload(TpmKey key) {
        Loaded l = loaded.remove(key.handle());
        if (l != null) {
            flush(l.handle);
        }
    }

    /** Flushes every key and primary this instance loaded. */
    @Override
    public void close() {
        RuntimeException first = null;
        List<Integer> handles = new ArrayList<>();
        loaded.values().forEach(l -> handles.add(l.handle));
        loaded.clear();
        synchronized (this) {
            primaries.values().forEach(p -> handles.add(p.handle()));
            primaries.clear();
        }
        for (int handle : handles) {
            try {
                flush(handle);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * The storage key for a key file's parent field: a persistent key as it is; for the owner hierarchy, the
     * storage primary, created once ({@code CreatePrimary} answers its public area, so no ReadPublic follows),
     * or for loads the persistent SRK when the machine has one ({@link #underParent}).
     */
    synchronized StorageKey storageKey(int parent, boolean load) {
        if (TpmHandles.isPersistent(parent)) {
            return new StorageKey(parent, null);
        }
        if (parent != TpmHandles.RH_OWNER) {
            throw new IllegalArgumentException("parent " + TpmHandles.hex(parent) + " is not supported: use the "
                    + "owner hierarchy (0x40000001) or a persistent storage key (0x81xxxxxx)");
        }
        if (load && !primaries.containsKey(parent)) {
            Optional<StorageKey> srk = persistentSrk();
            if (srk.isPresent()) {
                return srk.get();
            }
        }
        return primaries.computeIfAbsent(parent, h -> {
            CreatePrimary.Response created = tpm.execute(new CreatePrimary(h, KeyTemplates.storagePrimaryEcc()));
            return new StorageKey(created.objectHandle(), created.outPublic());
        });
    }

    /**
     * The key persisted at 0x81000001 if its public area is the storage primary's template (ECC P-256 SRK;
     * the unique field aside): the same template under the same owner seed gives the same key, so TPM2_Load
     * of a key file with parent TPM_RH_OWNER works under it, and a machine that persists its SRK (systemd,
     * tpm2-tools provisioning) saves a CreatePrimary per process. Whether it really is that primary shows at
     * the first Load ({@link #underParent}). Nothing is persisted here.
     */
    private Optional<StorageKey> persistentSrk() {
        if (persistentSrk == null) {
            persistentSrk = Optional.empty();
            try {
                TpmtPublic area = tpm.publicOf(PERSISTENT_SRK);
                if (isStoragePrimaryTemplate(area)) {
                    persistentSrk = Optional.of(new StorageKey(PERSISTENT_SRK, area));
                }
            } catch (TpmResponseException none) {
                // nothing persisted there: the primary is created
            }
        }
        return persistentSrk;
    }

    private synchronized void leavePersistentSrk() {
        persistentSrk = Optional.empty();
    }

    static boolean isStoragePrimaryTemplate(TpmtPublic area) {
        if (!(area.parameters() instanceof TpmuPublicParms.Ecc)) {
            return false;
        }
        TpmtPublic template = new TpmtPublic(area.nameAlg(), area.objectAttributes(), area.authPolicy(),
                area.parameters(), new TpmuPublicId.Ecc(TpmsEccPoint.EMPTY));
        return Arrays.equals(TpmWriter.marshal(template::marshal),
                TpmWriter.marshal(KeyTemplates.storagePrimaryEcc()::marshal));
    }

    private static TpmException loadFailure(int parent, TpmResponseException e) {
        int base = e.baseCode();
        if (base == TpmRc.HANDLE && TpmHandles.isPersistent(parent)) {
            return new TpmException("the key's parent " + TpmHandles.hex(parent) + " is not persisted in this TPM: "
                    + "the key file belongs to another TPM, or its parent key was evicted", e);
        }
        if (base == TpmRc.INTEGRITY || base == TpmRc.BINDING || base == TpmRc.SIZE) {
            return new TpmException("the key file does not belong to this TPM or this parent key (TPM2_Load: "
                    + TpmRc.name(e.responseCode()) + ")", e);
        }
        return e;
    }

    /**
     * A failed authorization without a password means the key has one: say so rather than "wrong
     * password". A wrong password given stays the TPM's own error, with how many tries are left
     * before the dictionary-attack lockout.
     */
    private TpmException authFailure(TpmKey key, TpmResponseException e) {
        boolean authFailed = e.baseCode() == TpmRc.AUTH_FAIL || e.baseCode() == TpmRc.BAD_AUTH;
        if (!authFailed) {
            return e;
        }
        if (key.auth() != PasswordSession.EMPTY) { // session() maps every empty password to EMPTY
            return e.baseCode() == TpmRc.AUTH_FAIL ? new TpmResponseException(e, triesLeft()) : e;
        }
        return new PasswordRequiredException("this key has a password, and none was given; give the key's password"
                + (e.baseCode() == TpmRc.AUTH_FAIL ? " (the try counted against the TPM's dictionary-attack lockout)"
                        : "") + " [" + TpmRc.name(e.responseCode()) + "]", e);
    }

    /** "2 of 3 tries left before the TPM locks out", from the TPM's dictionary-attack counters. */
    private String triesLeft() {
        try {
            SortedMap<Integer, Integer> p = Capabilities.properties(tpm);
            int max = p.getOrDefault(TpmPt.MAX_AUTH_FAIL, 0);
            int left = Math.max(0, max - p.getOrDefault(TpmPt.LOCKOUT_COUNTER, 0));
            if (left == 0) {
                return "the TPM is now in dictionary-attack lockout; passwords work again after "
                        + p.getOrDefault(TpmPt.LOCKOUT_INTERVAL, 0) + " s per forgiven failure, or after a reset "
                        + "with the lockout authorization";
            }
            return left + " of " + max + " tries left before the TPM locks out";
        } catch (TpmException unavailable) {
            return "the TPM's dictionary-attack counters could not be read";
        }
    }

    private static void checkScheme(TpmKey key, SigningScheme scheme, TpmAlg hash) {
        if (scheme.isRsa() != (key.type() == TpmAlg.RSA)) {
            throw new IllegalArgumentException("scheme " + scheme + " does not fit " + (key.type() == TpmAlg.RSA
                    ? "an RSA" : "an EC") + " key; use " + SigningScheme.defaultFor(key.type()));
        }
        KeyScheme fixed = KeyScheme.of(key.publicArea()).orElse(null);
        if (fixed != null && (fixed.scheme() != scheme || fixed.hash() != hash)) {
            throw new IllegalArgumentException("this key signs with " + fixed + " only (its public area fixes "
                    + "the scheme), not " + scheme.tpmScheme().name().toLowerCase() + " with " + hash.name()
                    .toLowerCase() + "; sign with " + fixed.scheme() + " and " + fixed.hash().name().toLowerCase()
                    + ", or use a key created without a fixed scheme");
        }
    }

    private static PasswordSession session(byte[] password) {
        return PasswordSession.of(password == null ? new byte[0] : password);
    }

    /** Reads one structure that must fill {@code bytes} exactly. */
    static <T> T whole(byte[] bytes, String structure, TpmReader.Reading<T> body) {
        return new TpmReader(bytes).struct(structure, in -> {
            T value = body.read(in);
            in.expectEnd();
            return value;
        });
    }

    private static byte[] sized(TpmtPublic publicArea) {
        return TpmWriter.marshal(publicArea::marshalSized);
    }
}
