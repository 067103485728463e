package org.tpmauth.tss.fapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.Create;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.EvictControl;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.Load;
import org.tpmauth.tss.commands.ObjectChangeAuth;
import org.tpmauth.tss.commands.ReadPublic;
import org.tpmauth.tss.commands.Unseal;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import org.tpmauth.tss.fapi.policy.PolicyContext;
import org.tpmauth.tss.fapi.policy.PolicyRunner;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.sessions.Session;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.keys.SignatureEncoding;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Keys by path in the tpm2-tss FAPI keystore: {@code createKey("/HS/SRK/vpn", ...)},
 * {@code sign("/HS/SRK/vpn", digest)}, and never a handle. Reads and writes the same directories and
 * {@code object.json} files as libtss2-fapi and the {@code tss2_*} tools, so keys move both ways.
 *
 * <p>Layout: {@code <dir>/<profile>/<hierarchy>/.../object.json}; provisioning writes the hierarchies,
 * the SRK and the EK to the system directory, keys go to the user directory, and lookups try the user
 * directory first. Keys live under the persistent SRK (both shipped profiles persist it at 0x81000001).
 * Not thread-safe; one keystore per TPM connection.
 */
public final class FapiKeystore implements AutoCloseable {
    private static final String OBJECT_FILE = "object.json";
    /** IESYSC_KEY_RSRC: the resource type in an ESYS_TR serialization. */
    private static final int ESYS_KEY_RESOURCE = 1;
    /** ESYS_TR values FAPI records for the hierarchies. */
    private static final int ESYS_TR_RH_OWNER = 0x101;
    private static final int ESYS_TR_RH_NULL = 0x107;
    private static final int ESYS_TR_RH_LOCKOUT = 0x10A;
    private static final int ESYS_TR_RH_ENDORSEMENT = 0x10B;

    private final FapiConfig config;
    private final Tpm tpm;
    private final TpmKeys keys;

    /**
     * A keystore on {@code tpm}; {@code tpm} may be null for what only reads files (list, object,
     * description, certificate, public key).
     */
    public FapiKeystore(FapiConfig config, Tpm tpm) {
        this.config = config;
        this.tpm = tpm;
        this.keys = new TpmKeys(tpm);
    }

    public FapiConfig config() {
        return config;
    }

    /** A path with the configuration's default profile where it names none. */
    public FapiPath path(String path) {
        return FapiPath.parse(path, config.profileName());
    }

    /**
     * Provisions the default profile as {@code tss2_provision} does without an EK certificate: the SRK
     * created from the profile's template and persisted at its handle (an SRK already there with the
     * same template is kept), the EK's public part, and the hierarchy objects.
     */
    public void provision() {
        FapiProfile profile = config.profile();
        if (profile.srkHandle() == 0) {
            throw new UnsupportedOperationException("profile " + profile.name() + " does not persist its SRK; "
                    + "tpmauth keeps keys under a persistent SRK only (add a 0x81... handle to srk_template)");
        }
        TpmtPublic srk = persistSrk(profile);
        TpmtPublic ek = createPrimaryPublic(TpmHandles.RH_ENDORSEMENT, profile.ekTemplate());
        FapiPath hs = new FapiPath(profile.name(), List.of("HS"));
        write(hs, FapiObject.newHierarchy("Owner Hierarchy", ESYS_TR_RH_OWNER), true);
        write(new FapiPath(profile.name(), List.of("HE")),
                FapiObject.newHierarchy("Endorsement Hierarchy", ESYS_TR_RH_ENDORSEMENT), true);
        write(new FapiPath(profile.name(), List.of("HN")), FapiObject.newHierarchy("Null Hierarchy", ESYS_TR_RH_NULL),
                true);
        write(new FapiPath(profile.name(), List.of("LOCKOUT")),
                FapiObject.newHierarchy("Lockout Hierarchy", ESYS_TR_RH_LOCKOUT), true);
        write(hs.child("SRK"), FapiObject.newKey(srk, null, false, profile.srkHandle(), profile.signingScheme(), true,
                null, esysSerialization(profile.srkHandle(), srk)), true);
        ObjectNode ekPolicy = FapiJson.object();
        ekPolicy.put("description", "Endorsement hierarchy used for policy secret.");
        ObjectNode secret = ekPolicy.putArray("policy").addObject();
        secret.put("type", "POLICYSECRET");
        secret.put("objectName", "4000000b");
        FapiObject ekObject = FapiObject.newKey(ek, null, false, 0, profile.signingScheme(), true, ekPolicy,
                new byte[0]);
        ObjectNode ekJson = ekObject.tree();
        ekJson.put("ek_profile", "YES");
        write(new FapiPath(profile.name(), List.of("HE", "EK")), ekObject, true);
    }

    private TpmtPublic persistSrk(FapiProfile profile) {
        TpmtPublic template = profile.srkTemplate();
        Optional<TpmtPublic> existing = readPersistent(profile.srkHandle());
        if (existing.isPresent()) {
            TpmtPublic srk = existing.get();
            if (srk.objectAttributes() != template.objectAttributes() || srk.type() != template.type()) {
                throw new TpmException("persistent handle " + TpmHandles.hex(profile.srkHandle()) + " holds a key "
                        + "that is not profile " + profile.name() + "'s SRK; evict it first");
            }
            return srk;
        }
        CreatePrimary.Response created = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, template));
        try {
            tpm.execute(new EvictControl(TpmHandles.RH_OWNER, created.objectHandle(), profile.srkHandle()));
        } finally {
            tpm.execute(new FlushContext(created.objectHandle()));
        }
        return created.outPublic();
    }

    private Optional<TpmtPublic> readPersistent(int handle) {
        try {
            return Optional.of(tpm.execute(new ReadPublic(handle)).outPublic());
        } catch (TpmResponseException e) {
            if (e.baseCode() == TpmRc.HANDLE) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private TpmtPublic createPrimaryPublic(int hierarchy, TpmtPublic template) {
        CreatePrimary.Response created = tpm.execute(new CreatePrimary(hierarchy, template));
        tpm.execute(new FlushContext(created.objectHandle()));
        return created.outPublic();
    }

    /** ESYS_TR serialization of a persistent object: handle, TPM2B_NAME, resource type, TPM2B_PUBLIC. */
    private static byte[] esysSerialization(int handle, TpmtPublic publicArea) {
        return TpmWriter.marshal(out -> {
            out.u32(handle).sized(publicArea.name()).u32(ESYS_KEY_RESOURCE);
            publicArea.marshalSized(out);
        });
    }

    /**
     * Creates a key at {@code path} (below /HS/SRK) as {@code tss2_createkey} does, with an auth value
     * ({@code password}, may be empty) and the profile's key type and signing scheme.
     */
    public FapiObject createKey(String path, KeyType type, byte[] password) {
        return createKey(path, type, password, null);
    }

    /**
     * Creates a key authorized by {@code policy} (null for none) as {@code tss2_createkey --policyPath}
     * does: its authPolicy is the policy's digest, and the policy, with current PCR values filled in,
     * is stored with the key to be satisfied at use time.
     */
    public FapiObject createKey(String path, KeyType type, byte[] password, JsonPolicy policy) {
        FapiPath p = newObjectPath(path);
        FapiProfile profile = config.profile(p.profile());
        byte[] auth = password == null ? new byte[0] : password;
        ObjectNode stored = instantiate(policy, profile);
        TpmtPublic template = profile.keyTemplate(type, authPolicy(stored, profile));
        return createUnderParent(p, template, new TpmsSensitiveCreate(auth.clone(), new byte[0]), auth.length > 0,
                profile.signingScheme(), stored);
    }

    /** Seals {@code data} at {@code path} as {@code tss2_createseal} does, optionally under a policy. */
    public FapiObject createSeal(String path, byte[] data, byte[] password, JsonPolicy policy) {
        FapiPath p = newObjectPath(path);
        FapiProfile profile = config.profile(p.profile());
        byte[] auth = password == null ? new byte[0] : password;
        ObjectNode stored = instantiate(policy, profile);
        TpmtPublic template = profile.sealTemplate(authPolicy(stored, profile), false);
        return createUnderParent(p, template, new TpmsSensitiveCreate(auth.clone(), data.clone()), auth.length > 0,
                null, stored);
    }

    private ObjectNode instantiate(JsonPolicy policy, FapiProfile profile) {
        return policy == null ? null : policy.instantiate(profile.nameAlg(), policyContext());
    }

    private byte[] authPolicy(ObjectNode stored, FapiProfile profile) {
        return stored == null ? new byte[0]
                : JsonPolicy.of(JsonFields.of("policy", stored)).digest(profile.nameAlg(), policyContext());
    }

    /** The context JSON policies of this keystore are computed and satisfied in. */
    public PolicyContext policyContext() {
        return new KeystorePolicyContext(tpm, this);
    }

    /**
     * The authorization for using {@code object}: its JSON policy run in a policy session (with the
     * password for PolicyAuthValue / PolicyPassword), or the password itself.
     */
    private <T> T authorized(FapiObject object, byte[] password, java.util.function.Function<Session, T> use) {
        byte[] auth = password == null ? new byte[0] : password;
        TpmtPublic publicArea = object.publicArea();
        Optional<ObjectNode> policy = object.policy();
        if (policy.isEmpty() || publicArea.authPolicy().length == 0) {
            return use.apply(PasswordSession.of(auth));
        }
        JsonPolicy jsonPolicy = JsonPolicy.of(JsonFields.of(object.source() + ": policy", policy.get()));
        try (PolicySession session = PolicySession.start(tpm, publicArea.nameAlg())) {
            new PolicyRunner(policyContext()).run(session, publicArea.nameAlg(), jsonPolicy);
            return use.apply(session.withAuth(auth));
        }
    }

    private FapiObject createUnderParent(FapiPath p, TpmtPublic template, TpmsSensitiveCreate sensitive,
            boolean withAuth, TpmtSigScheme scheme, ObjectNode policy) {
        int parent = parentHandle(p);
        Create.Response created = tpm.execute(new Create(parent, sensitive, template));
        FapiObject object = FapiObject.newKey(created.outPublic(), created.outPrivate(), withAuth, 0, scheme, false,
                policy, new byte[0]);
        write(p, object, false);
        return object;
    }

    private FapiPath newObjectPath(String path) {
        FapiPath p = path(path);
        if (p.isSystemObject()) {
            throw new IllegalArgumentException(p + " is a system object; provisioning creates it");
        }
        if (find(p).isPresent()) {
            throw new IllegalArgumentException(p + " exists already; delete it first or pick another path");
        }
        return p;
    }

    /** The persistent handle of the key's parent (the SRK). */
    private int parentHandle(FapiPath p) {
        FapiObject parent = find(p.parent()).orElseThrow(() -> new IllegalStateException("parent " + p.parent()
                + " of " + p + " is not in the keystore; provision first (tpmauth keystore provision or tss2_provision)"));
        if (!parent.isKey() || parent.persistentHandle() == 0) {
            throw new UnsupportedOperationException("parent " + p.parent() + " is not a persistent storage key; "
                    + "tpmauth keeps keys directly under the SRK (/HS/SRK/name)");
        }
        return parent.persistentHandle();
    }

    /** Loads the key at {@code path} under its parent, with its auth value as the password. */
    public TpmKey load(String path, byte[] password) {
        FapiPath p = path(path);
        FapiObject object = object(p);
        if (object.persistentHandle() != 0) {
            return keys.persistent(object.persistentHandle(), password);
        }
        Tss2KeyFile file = Tss2KeyFile.loadable(parentHandle(p), object.publicBytes(),
                TpmWriter.marshal(out -> out.sized(object.privateBlob())), !object.withAuth());
        return keys.load(file, password);
    }

    /**
     * Signs a digest with the key at {@code path} in the key's signing scheme ({@code signing_scheme},
     * e.g. ECDSA-SHA256 or RSA-PSS-SHA256), as {@code tss2_sign} does; returns the signature as
     * tss2_sign writes it: DER for ECDSA, the raw value for RSA.
     */
    public byte[] sign(String path, byte[] digest, byte[] password) {
        FapiObject object = object(path(path));
        TpmKey key = load(path, password);
        try {
            return authorized(object, password, auth -> SignatureEncoding.standard(signRaw(
                    new TpmKey(key.handle(), key.publicArea(), auth), object.signingScheme(), digest)));
        } finally {
            keys.unload(key);
        }
    }

    TpmtSignature signRaw(TpmKey key, TpmtSigScheme scheme, byte[] digest) {
        SigningScheme s = switch (scheme.scheme()) {
            case ECDSA -> SigningScheme.ECDSA;
            case RSASSA -> SigningScheme.PKCS1;
            case RSAPSS -> SigningScheme.PSS;
            default -> throw new UnsupportedOperationException("signing scheme " + scheme.scheme()
                    + " is not supported; ECDSA, RSASSA or RSAPSS");
        };
        return keys.signRaw(key, digest, scheme.hash(), s);
    }

    /** Unseals the sealed object at {@code path}, as {@code tss2_unseal} does. */
    public byte[] unseal(String path, byte[] password) {
        FapiPath p = path(path);
        FapiObject object = object(p);
        TpmtPublic publicArea = object.publicArea();
        if (publicArea.type() != org.tpmauth.tss.types.TpmAlg.KEYEDHASH) {
            throw new IllegalArgumentException(p + " is a " + publicArea.type() + " key, not sealed data");
        }
        int item = tpm.execute(new Load(parentHandle(p), object.privateBlob(), publicArea)).objectHandle();
        try {
            return authorized(object, password, auth -> tpm.execute(new Unseal(item), auth).outData());
        } finally {
            tpm.execute(new FlushContext(item));
        }
    }

    /**
     * Changes the auth value of the key or sealed object at {@code path} (TPM2_ObjectChangeAuth, as
     * {@code tss2_changeauth} does) and rewrites its object.json with the new private blob. Objects
     * whose admin role needs a policy (adminWithPolicy: FAPI's policy objects) are refused.
     */
    public void changeAuth(String path, byte[] oldPassword, byte[] newPassword) {
        FapiPath p = path(path);
        FapiObject object = object(p);
        TpmtPublic publicArea = object.publicArea();
        if (object.persistentHandle() != 0 || TpmaObject.has(publicArea.objectAttributes(),
                TpmaObject.ADMIN_WITH_POLICY)) {
            throw new UnsupportedOperationException(p + " is persistent or needs a policy for its admin role; "
                    + "tpmauth changes the auth of password-protected keys only");
        }
        int parent = parentHandle(p);
        int item = tpm.execute(new Load(parent, object.privateBlob(), publicArea)).objectHandle();
        byte[] newPrivate;
        try {
            newPrivate = tpm.execute(new ObjectChangeAuth(item, parent, newPassword.clone()),
                    PasswordSession.of(oldPassword == null ? new byte[0] : oldPassword)).outPrivate();
        } finally {
            tpm.execute(new FlushContext(item));
        }
        Path file = existingFile(p);
        FapiObject current = read(file);
        current.setPrivate(newPrivate, newPassword.length > 0);
        FapiJson.write(file, current.tree());
    }

    /** The public key of the object at {@code path}. */
    public PublicKey publicKey(String path) {
        return object(path(path)).publicArea().toPublicKey();
    }

    /** The public key as PEM, as {@code tss2_exportkey} / {@code tss2_sign --publicKey} write it. */
    public String exportPublicKeyPem(String path) {
        return PublicKeys.toPem(publicKey(path));
    }

    /** The object at {@code path}; fails naming the path when there is none. */
    public FapiObject object(String path) {
        return object(path(path));
    }

    FapiObject object(FapiPath p) {
        return find(p).orElseThrow(() -> new IllegalArgumentException("no object at " + p + " in the keystore ("
                + config.userDir() + ", " + config.systemDir() + "); `tpmauth keystore list` shows what there is"));
    }

    /** The object at a path, from the user keystore or else the system keystore. */
    public Optional<FapiObject> find(FapiPath p) {
        for (Path dir : List.of(config.userDir(), config.systemDir())) {
            Path file = dir.resolve(p.relative()).resolve(OBJECT_FILE);
            if (Files.isRegularFile(file)) {
                return Optional.of(read(file));
            }
        }
        return Optional.empty();
    }

    private static FapiObject read(Path file) {
        try {
            return FapiObject.parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private Path fileOf(FapiPath p, boolean system) {
        return (system ? config.systemDir() : config.userDir()).resolve(p.relative()).resolve(OBJECT_FILE);
    }

    private void write(FapiPath p, FapiObject object, boolean system) {
        FapiJson.write(fileOf(p, system), object.tree());
    }

    /** Where the object at {@code p} lives now (user keystore first). */
    private Path existingFile(FapiPath p) {
        for (boolean system : new boolean[] {false, true}) {
            Path file = fileOf(p, system);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new IllegalArgumentException("no object at " + p + " in the keystore");
    }

    /** Rewrites an object after {@code change}, keeping every other field as it was. */
    private void update(String path, java.util.function.Consumer<FapiObject> change) {
        FapiPath p = path(path);
        Path file = existingFile(p);
        FapiObject object = read(file);
        change.accept(object);
        FapiJson.write(file, object.tree());
    }

    public String description(String path) {
        return object(path).description();
    }

    public void setDescription(String path, String description) {
        update(path, o -> o.setDescription(description));
    }

    public String certificate(String path) {
        return object(path).certificate();
    }

    public void setCertificate(String path, String pem) {
        update(path, o -> o.setCertificate(pem));
    }

    /**
     * Every object at or below {@code searchPath} ("/" for all) in both keystores, as {@code tss2_list}
     * names them (/P_ECCP256SHA256/HS/SRK/name), sorted.
     */
    public List<String> list(String searchPath) {
        String trimmed = searchPath.replaceAll("^/+|/+$", "");
        List<String> found = new ArrayList<>();
        for (Path dir : List.of(config.userDir(), config.systemDir())) {
            collect(dir, found);
        }
        if (!trimmed.isEmpty()) {
            String prefix = "/" + (trimmed.startsWith("P_") ? trimmed : config.profileName() + "/" + trimmed);
            found.removeIf(f -> !f.equals(prefix) && !f.startsWith(prefix + "/"));
        }
        return found.stream().distinct().sorted().toList();
    }

    private static void collect(Path dir, List<String> found) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir, 16)) {
            files.filter(f -> f.getFileName().toString().equals(OBJECT_FILE)).forEach(f -> {
                Path rel = dir.relativize(f.getParent());
                if (rel.getNameCount() >= 2 && rel.getName(0).toString().startsWith("P_")) {
                    String path = "/" + String.join("/", Arrays.stream(rel.toString().split("[/\\\\]")).toList());
                    try {
                        FapiPath.parse(path, "");
                        found.add(path);
                    } catch (IllegalArgumentException notAKeystorePath) {
                        // policy/, ext/ and nv/ objects are not keys
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the key or sealed object at {@code path} and everything below it; a persistent key is
     * evicted. System objects (hierarchies, SRK, EK) are refused.
     */
    public void delete(String path) {
        FapiPath p = path(path);
        if (p.isSystemObject()) {
            throw new IllegalArgumentException(p + " is a system object; tpmauth does not delete hierarchies, "
                    + "the SRK or the EK");
        }
        FapiObject object = object(p);
        if (object.persistentHandle() != 0) {
            tpm.execute(EvictControl.evict(TpmHandles.RH_OWNER, object.persistentHandle()));
        }
        for (boolean system : new boolean[] {false, true}) {
            deleteTree(fileOf(p, system).getParent());
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Flushes what this keystore loaded. */
    @Override
    public void close() {
        keys.close();
    }
}
