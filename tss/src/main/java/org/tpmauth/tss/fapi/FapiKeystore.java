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
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.Create;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.EvictControl;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.Duplicate;
import org.tpmauth.tss.commands.Import;
import org.tpmauth.tss.commands.Load;
import org.tpmauth.tss.commands.LoadExternal;
import org.tpmauth.tss.commands.NvDefineSpace;
import org.tpmauth.tss.commands.NvRead;
import org.tpmauth.tss.commands.NvReadPublic;
import org.tpmauth.tss.commands.NvUndefineSpace;
import org.tpmauth.tss.commands.NvWrite;
import org.tpmauth.tss.commands.ObjectChangeAuth;
import org.tpmauth.tss.commands.ReadPublic;
import org.tpmauth.tss.commands.TpmCommand;
import org.tpmauth.tss.commands.Unseal;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import org.tpmauth.tss.fapi.policy.PolicyActionCallback;
import org.tpmauth.tss.fapi.policy.PolicyAuthorization;
import org.tpmauth.tss.fapi.policy.PolicyBranchCallback;
import org.tpmauth.tss.fapi.policy.PolicyContext;
import org.tpmauth.tss.fapi.policy.PolicyElement;
import org.tpmauth.tss.fapi.policy.PolicyException;
import org.tpmauth.tss.fapi.policy.PolicyRunner;
import org.tpmauth.tss.fapi.policy.PolicySignCallback;
import org.tpmauth.tss.keys.KeySource;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.sessions.Session;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.TpmPolicy;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.keys.SignatureEncoding;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmuPublicId;
import org.tpmauth.tss.types.TpmuPublicParms;
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
 * directory first. Keys live under the SRK (both shipped profiles persist it at 0x81000001; a profile
 * that does not has it created again from its public area, as FAPI does) or under storage keys below it
 * ({@code /HS/SRK/parent/child}), loaded through the chain. NV indices
 * ({@code /nv/Owner/name}) live in the system directory, external public keys ({@code /ext/name}) in
 * the user directory, policies ({@code /policy/name}, a {@code .json} file) in the system directory,
 * as FAPI keeps them. What FAPI asks its callbacks for comes from the same callbacks here: auth values of
 * other objects and hierarchies ({@link #setAuthCallback}), PolicySigned signatures
 * ({@link #setPolicySigner}), PolicyOR branches ({@link #setBranchCallback}) and PolicyAction
 * ({@link #setPolicyActionCallback}). {@link #load} hands any key to the signers of a {@link TpmKeys}.
 * Not thread-safe, except for the keys {@link #load} gives out; one keystore per TPM connection.
 */
public final class FapiKeystore implements AutoCloseable {
    private static final String OBJECT_FILE = "object.json";
    /** IESYSC_KEY_RSRC: the resource type in an ESYS_TR serialization. */
    private static final int ESYS_KEY_RESOURCE = 1;
    /** ESYS_TR values FAPI records for the hierarchies. */
    private static final int ESYS_TR_RH_OWNER = 0x101;
    /** IFAPI_DUPLICATE_OBJ: what tss2_exportkey writes for a duplicated key. */
    private static final int DUPLICATE_OBJECT = 5;
    private static final int ESYS_TR_RH_NULL = 0x107;
    private static final int ESYS_TR_RH_LOCKOUT = 0x10A;
    private static final int ESYS_TR_RH_ENDORSEMENT = 0x10B;

    private final FapiConfig config;
    private final Tpm tpm;
    private final TpmKeys keys;
    /** Whether this keystore made {@link #keys} and closes it. */
    private final boolean ownsKeys;
    private final PolicyDirectory policies;
    private AuthCallback authCallback = (path, description) -> new byte[0];
    private PolicySignCallback policySigner;
    private PolicyBranchCallback branchCallback = PolicyBranchCallback.NONE;
    private PolicyActionCallback actionCallback;

    /**
     * The auth value of a keystore object that an operation needs besides the one it is given: a
     * parent key on the way to a key, the object of a PolicySecret, the NV index of a PolicyNV. FAPI's
     * auth callback ({@code Fapi_SetAuthCB}).
     */
    @FunctionalInterface
    public interface AuthCallback {
        byte[] authValue(String path, String description);
    }

    /** A keystore on {@code tpm}. */
    public FapiKeystore(FapiConfig config, Tpm tpm) {
        this(config, new TpmKeys(tpm), true);
    }

    /** A keystore without a TPM, for what only reads files (list, object, description, certificate, key file). */
    public static FapiKeystore offline(FapiConfig config) {
        return new FapiKeystore(config, (Tpm) null);
    }

    /**
     * A keystore whose {@link #load loaded keys} join {@code keys}, the TpmKeys that the signers using
     * them (JCA provider, TLS, adapters) sign with; closing the keystore leaves {@code keys} open.
     */
    public FapiKeystore(FapiConfig config, TpmKeys keys) {
        this(config, keys, false);
    }

    private FapiKeystore(FapiConfig config, TpmKeys keys, boolean ownsKeys) {
        this.config = config;
        this.tpm = keys.tpm();
        this.keys = keys;
        this.ownsKeys = ownsKeys;
        this.policies = new PolicyDirectory(config);
    }

    /** The TpmKeys that {@link #load} loads keys into. */
    public TpmKeys keys() {
        return keys;
    }

    public FapiConfig config() {
        return config;
    }

    /** Where auth values of parents and of policy objects come from (by default: empty). */
    public void setAuthCallback(AuthCallback callback) {
        this.authCallback = Objects.requireNonNull(callback);
    }

    /** Who signs for PolicySigned elements at use time (by default: nobody, and such policies fail). */
    public void setPolicySigner(PolicySignCallback signer) {
        this.policySigner = signer;
    }

    PolicySignCallback policySigner() {
        return policySigner;
    }

    /** Who picks the branch of a PolicyOR (by default nobody: the one branch that holds is taken). */
    public void setBranchCallback(PolicyBranchCallback callback) {
        this.branchCallback = Objects.requireNonNull(callback);
    }

    PolicyBranchCallback branchCallback() {
        return branchCallback;
    }

    /** What runs for PolicyAction elements (by default nothing, and such policies fail). */
    public void setPolicyActionCallback(PolicyActionCallback callback) {
        this.actionCallback = callback;
    }

    PolicyActionCallback actionCallback() {
        return actionCallback;
    }

    /** The auth value of the object at {@code p} from the auth callback. */
    byte[] authValue(FapiPath p) {
        FapiObject o = find(p).orElse(null);
        byte[] auth = authCallback.authValue(p.toString(), o == null ? "" : o.description());
        return auth == null ? new byte[0] : auth;
    }

    /** A path with the configuration's default profile where it names none. */
    public FapiPath path(String path) {
        return FapiPath.parse(path, config.profileName());
    }

    /**
     * Provisions the default profile as {@code tss2_provision} does without an EK certificate: the SRK
     * created from the profile's template and persisted at its handle (an SRK already there with the
     * same template is kept; a template without a handle leaves it transient), the EK's public part, and
     * the hierarchy objects.
     */
    public void provision() {
        FapiProfile profile = config.profile();
        // a profile without a persistent handle keeps the SRK transient: created again from its public area at use
        TpmtPublic srk = profile.srkHandle() == 0 ? createPrimaryPublic(TpmHandles.RH_OWNER, profile.srkTemplate())
                : persistSrk(profile);
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
                null, profile.srkHandle() == 0 ? new byte[0] : esysSerialization(profile.srkHandle(), srk)), true);
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
     * Creates a key at {@code path} (below /HS/SRK or a storage key under it) as {@code tss2_createkey}
     * does, with an auth value
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
        return new KeystorePolicyContext(tpm, this, policies, null);
    }

    /** The context for satisfying the policy of the object at {@code p} (named to the branch and action callbacks). */
    private PolicyContext policyContext(FapiPath p) {
        return new KeystorePolicyContext(tpm, this, policies, p);
    }

    /**
     * The authorization for using {@code object}: its JSON policy run in a policy session (with the
     * password for PolicyAuthValue / PolicyPassword), or the password itself.
     */
    private <T> T authorized(FapiPath p, FapiObject object, int command, byte[] password,
            Function<Session, T> use) {
        byte[] authPolicy = object.isNv() ? object.nvPublic().authPolicy() : object.publicArea().authPolicy();
        TpmAlg nameAlg = object.isNv() ? object.nvPublic().nameAlg() : object.publicArea().nameAlg();
        byte[] auth = password == null ? new byte[0] : password;
        Optional<ObjectNode> policy = object.policy();
        if (policy.isEmpty() || authPolicy.length == 0) {
            return use.apply(PasswordSession.of(auth));
        }
        JsonPolicy jsonPolicy = JsonPolicy.of(JsonFields.of(object.source() + ": policy", policy.get()));
        try (PolicySession session = PolicySession.start(tpm, nameAlg)) {
            byte[] name = object.isNv() ? object.nvPublic().name() : object.publicArea().name();
            new PolicyRunner(tpm, policyContext(p), command, name).run(session, nameAlg, jsonPolicy);
            try {
                return use.apply(session.withAuth(auth));
            } catch (TpmResponseException e) {
                throw refusal(e, object, jsonPolicy, command);
            }
        }
    }

    /**
     * What the TPM's refusal of a command whose policy session ran means, for the elements the TPM
     * checks at use rather than when they run: PolicyLocality, PolicyNvWritten, PolicyDuplicationSelect.
     */
    private RuntimeException refusal(TpmResponseException e, FapiObject object, JsonPolicy policy, int command) {
        String of = " of " + object.source() + ": ";
        if (e.is(TpmRc.LOCALITY) && policy.has(PolicyElement.Locality.class)) {
            return new PolicyException("PolicyLocality" + of + "the TPM refused the command at this locality; send it "
                    + "at a locality the policy allows", e);
        }
        if (e.is(TpmRc.POLICY_FAIL) && object.isNv() && policy.has(PolicyElement.NvWritten.class)) {
            return new PolicyException("PolicyNvWritten" + of + "the NV index is " + (isWritten(object) ? "" : "not ")
                    + "written, which the policy does not allow for " + TpmCc.nameOf(command), e);
        }
        if (e.is(TpmRc.POLICY_FAIL) && command == TpmCc.Duplicate && policy.has(PolicyElement.DuplicationSelect.class)) {
            return new PolicyException("PolicyDuplicationSelect" + of + "the policy allows duplication to another new "
                    + "parent only", e);
        }
        return e;
    }

    private boolean isWritten(FapiObject nv) {
        return (tpm.execute(new NvReadPublic(nv.nvPublic().nvIndex())).nvPublic().attributes() & TpmaNv.WRITTEN) != 0;
    }

    private FapiObject createUnderParent(FapiPath p, TpmtPublic template, TpmsSensitiveCreate sensitive,
            boolean withAuth, TpmtSigScheme scheme, ObjectNode policy) {
        Create.Response created = withParent(p, (parent, auth) -> tpm.execute(new Create(parent, sensitive, template),
                auth));
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

    /**
     * Runs {@code use} with the parent of {@code p} loaded (through its own parents, down from the
     * persistent key) and the authorization for using it as a parent; flushes what it loaded.
     */
    private <T> T withParent(FapiPath p, BiFunction<Integer, Session, T> use) {
        FapiPath parentPath = p.parent();
        FapiObject parent = find(parentPath).orElseThrow(() -> new IllegalStateException("parent " + parentPath
                + " of " + p + " is not in the keystore; provision first (tpmauth keystore provision or "
                + "tss2_provision), or create the parent"));
        TpmtPublic parentArea = parent.isKey() ? parent.publicArea() : null;
        if (parentArea == null || !TpmaObject.has(parentArea.objectAttributes(), TpmaObject.RESTRICTED)
                || !TpmaObject.has(parentArea.objectAttributes(), TpmaObject.DECRYPT)) {
            throw new UnsupportedOperationException("parent " + parentPath + " is not a storage key (restricted, "
                    + "decrypt); keys live below /HS/SRK or a storage key under it");
        }
        byte[] parentAuth = parent.withAuth() ? authValue(parentPath) : new byte[0];
        return withLoaded(parentPath, parent, handle -> authorized(parentPath, parent, 0, parentAuth,
                auth -> use.apply(handle, auth)));
    }

    /** Runs {@code use} with the key at {@code p} loaded through its parents; flushes what it loaded. */
    <T> T withLoaded(FapiPath p, IntFunction<T> use) {
        return withLoaded(p, object(p), use);
    }

    private <T> T withLoaded(FapiPath p, FapiObject object, IntFunction<T> use) {
        if (!object.isKey()) {
            throw new IllegalArgumentException(p + " is no key or sealed object (objectType " + object.objectType()
                    + ")");
        }
        if (object.persistentHandle() != 0) {
            return use.apply(object.persistentHandle());
        }
        int handle = loadTransient(p, object);
        try {
            return use.apply(handle);
        } finally {
            tpm.execute(new FlushContext(handle));
        }
    }

    /**
     * Loads a key below its parents, or creates a primary (an SRK that the profile does not persist)
     * again as FAPI does: from its public area without the unique field, under its hierarchy's auth.
     */
    private int loadTransient(FapiPath p, FapiObject object) {
        if (p.parent().isHierarchy()) {
            TpmtPublic stored = object.publicArea();
            TpmtPublic template = new TpmtPublic(stored.nameAlg(), stored.objectAttributes(), stored.authPolicy(),
                    stored.parameters(), TpmuPublicId.empty(stored.type()));
            return tpm.execute(new CreatePrimary(FapiPath.hierarchyHandle(p.hierarchy()), template),
                    PasswordSession.of(hierarchyAuth(p.parent()))).objectHandle();
        }
        return withParent(p, (parent, auth) -> tpm.execute(new Load(parent, object.privateBlob(),
                object.publicArea()), auth)).objectHandle();
    }

    /** A hierarchy's auth value: from the auth callback when its object records one (with_auth), as FAPI asks. */
    byte[] hierarchyAuth(FapiPath hierarchy) {
        return find(hierarchy).filter(FapiObject::withAuth).map(o -> authValue(hierarchy)).orElse(new byte[0]);
    }

    /**
     * Loads the key at {@code path} into {@link #keys()}, wherever it is in the hierarchy (through its
     * parents and their auth values, a transient SRK created again), for any signer: every use of the
     * key satisfies its JSON policy anew, with this keystore's callbacks, or uses {@code password}
     * (its auth value, may be empty). {@code keys().unload(key)} or closing the TpmKeys flushes it.
     */
    public TpmKey load(String path, byte[] password) {
        FapiPath p = path(path);
        FapiObject object = object(p);
        if (!object.isKey()) {
            throw new IllegalArgumentException(p + " is no key (objectType " + object.objectType() + ")");
        }
        byte[] auth = password == null ? new byte[0] : password.clone();
        return keys.load(object.publicArea(), new KeystoreKey(p, object, auth), auth);
    }

    /** A keystore key as {@link TpmKeys} keeps it: loaded through its parents, used through its policy. */
    private final class KeystoreKey implements KeySource {
        private final FapiPath path;
        private final FapiObject object;
        private final byte[] password;

        KeystoreKey(FapiPath path, FapiObject object, byte[] password) {
            this.path = path;
            this.object = object;
            this.password = password;
        }

        @Override
        public int load() {
            synchronized (FapiKeystore.this) {
                return object.persistentHandle() != 0 ? object.persistentHandle() : loadTransient(path, object);
            }
        }

        @Override
        public <R> R authorize(TpmCommand<R> command) {
            synchronized (FapiKeystore.this) {
                return authorized(path, object, command.commandCode(), password, session -> tpm.execute(command,
                        session));
            }
        }
    }

    /**
     * The key at {@code path} as a TSS2 key file, for programs that load key files themselves (openconnect,
     * strongSwan): a key directly below a persistent parent without auth value, whose JSON policy, if any,
     * holds only PolicyPCR with values and PolicyAuthValue (what key files carry). tpmauth's own signers
     * take any key through {@link #load}.
     */
    public Tss2KeyFile keyFile(String path) {
        FapiPath p = path(path);
        FapiObject object = object(p);
        FapiObject parent = object.isKey() ? object(p.parent()) : null;
        if (parent == null || object.persistentHandle() != 0 || parent.persistentHandle() == 0 || parent.withAuth()) {
            throw new UnsupportedOperationException(p + " is not a key directly below a persistent parent without "
                    + "auth value, which a key file needs; tpmauth's own signers take it as it is (--key keystore:PATH of "
                    + "tpmauth tls, openvpn, key sign ...; FapiKeystore.load)");
        }
        List<TpmPolicy> policy = new ArrayList<>();
        if (object.policy().isPresent() && object.publicArea().authPolicy().length > 0) {
            TpmAlg nameAlg = object.publicArea().nameAlg();
            for (PolicyElement e : JsonPolicy.of(JsonFields.of(object.source() + ": policy", object.policy().get()))
                    .elements()) {
                if (e instanceof PolicyElement.Pcr pcr && pcr.currentPcrs().isEmpty()) {
                    var values = pcr.values(nameAlg, PolicyContext.offline());
                    policy.add(TpmPolicy.pcr(PolicyElement.Pcr.selection(values),
                            PolicyElement.Pcr.pcrDigest(nameAlg, values)));
                } else if (e instanceof PolicyElement.AuthValue) {
                    policy.add(TpmPolicy.authValue());
                } else {
                    throw new UnsupportedOperationException(p + "'s policy has " + e.label() + ", which a key file "
                            + "cannot carry; tpmauth's own signers take it as it is (--key keystore:PATH of tpmauth tls, "
                            + "openvpn, key sign ...; FapiKeystore.load)");
                }
            }
        }
        return Tss2KeyFile.loadable(parent.persistentHandle(), object.publicBytes(),
                TpmWriter.marshal(out -> out.sized(object.privateBlob())), !object.withAuth(), policy);
    }

    /**
     * Signs a digest with the key at {@code path} in the key's signing scheme ({@code signing_scheme},
     * e.g. ECDSA-SHA256 or RSA-PSS-SHA256), as {@code tss2_sign} does; returns the signature as
     * tss2_sign writes it: DER for ECDSA, the raw value for RSA.
     */
    public byte[] sign(String path, byte[] digest, byte[] password) {
        return SignatureEncoding.standard(signTpm(path(path), digest, password));
    }

    private TpmtSignature signTpm(FapiPath p, byte[] digest, byte[] password) {
        FapiObject object = object(p);
        return withLoaded(p, handle -> authorized(p, object, TpmCc.Sign, password, auth -> signRaw(
                new TpmKey(handle, object.publicArea(), auth), object.signingScheme(), digest)));
    }

    /**
     * Verifies a signature (as {@link #sign} and {@code tss2_sign} write it) over {@code digest} with the
     * public key at {@code path}, a key or an external key (/ext), as {@code tss2_verifysignature} does.
     */
    public boolean verify(String path, byte[] digest, byte[] signature) {
        FapiObject object = object(path(path));
        PublicKey key = publicKey(path);
        TpmtSigScheme scheme = object.isKey() ? object.signingScheme() : TpmtSigScheme.NULL;
        return SignatureVerifier.verify(key, scheme, object.publicArea(), digest, signature);
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
        if (publicArea.type() != TpmAlg.KEYEDHASH) {
            throw new IllegalArgumentException(p + " is a " + publicArea.type() + " key, not sealed data");
        }
        return withLoaded(p, item -> authorized(p, object, TpmCc.Unseal, password, auth -> tpm.execute(new Unseal(item),
                auth)
                .outData()));
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
        byte[] newPrivate = withParent(p, (parent, parentAuth) -> {
            int item = tpm.execute(new Load(parent, object.privateBlob(), publicArea), parentAuth).objectHandle();
            try {
                return tpm.execute(new ObjectChangeAuth(item, parent, newPassword.clone()),
                        PasswordSession.of(oldPassword == null ? new byte[0] : oldPassword)).outPrivate();
            } finally {
                tpm.execute(new FlushContext(item));
            }
        });
        Path file = existingFile(p);
        FapiObject current = read(file);
        current.setPrivate(newPrivate, newPassword.length > 0);
        FapiJson.write(file, current.tree());
    }

    /**
     * Defines an NV index at {@code path} ({@code /nv/<range>/name}) as {@code tss2_createnv} does: the
     * first free handle of the range (Owner: 0x01800000...), {@code type} a comma list of noDa and one
     * of bitfield, counter, pcr (else an ordinary index of {@code size} bytes), read and written with
     * {@code password} (may be empty) or, with a policy, only through the policy.
     */
    public FapiObject createNv(String path, String type, int size, byte[] password, JsonPolicy policy) {
        FapiPath p = path(path);
        if (!p.isNv()) {
            throw new IllegalArgumentException(p + " is no NV path; NV indices live at /nv/<range>/name, e.g. "
                    + "/nv/Owner/counter");
        }
        if (find(p).isPresent()) {
            throw new IllegalArgumentException(p + " exists already; delete it first or pick another path");
        }
        FapiProfile profile = config.profile();
        byte[] auth = password == null ? new byte[0] : password;
        ObjectNode stored = instantiate(policy, profile);
        int index = NvIndices.firstFree(tpm, p.segments().get(1));
        TpmsNvPublic nv = NvIndices.template(index, profile.nameAlg(), type, size, authPolicy(stored, profile));
        tpm.execute(new NvDefineSpace(TpmHandles.RH_OWNER, auth.clone(), nv));
        FapiObject object = FapiObject.newNv(nv, auth.length > 0, NvIndices.esysSerialization(nv), ESYS_TR_RH_OWNER,
                "", stored);
        write(p, object, true);
        return object;
    }

    /** Writes {@code data} at {@code offset} of the NV index at {@code path}, as {@code tss2_nvwrite} does. */
    public void nvWrite(String path, byte[] data, int offset, byte[] password) {
        FapiPath p = path(path);
        FapiObject object = nvObject(p);
        int index = object.nvPublic().nvIndex();
        authorized(p, object, TpmCc.NV_Write, password, auth -> {
            for (int done = 0; done < data.length; done += NvIndices.CHUNK) {
                byte[] chunk = Arrays.copyOfRange(data, done, Math.min(data.length, done + NvIndices.CHUNK));
                tpm.execute(new NvWrite(index, index, chunk, offset + done), auth);
            }
            return null;
        });
        recordNvPublic(p);
    }

    /** Reads the whole NV index at {@code path} (its data size), as {@code tss2_nvread} does. */
    public byte[] nvRead(String path, byte[] password) {
        FapiPath p = path(path);
        FapiObject object = nvObject(p);
        int index = object.nvPublic().nvIndex();
        int size = tpm.execute(new NvReadPublic(index)).nvPublic().dataSize();
        return authorized(p, object, TpmCc.NV_Read, password, auth -> {
            byte[] out = new byte[size];
            for (int done = 0; done < size; done += NvIndices.CHUNK) {
                int n = Math.min(NvIndices.CHUNK, size - done);
                System.arraycopy(tpm.execute(new NvRead(index, index, n, done), auth).data(), 0, out, done, n);
            }
            return out;
        });
    }

    private FapiObject nvObject(FapiPath p) {
        FapiObject object = object(p);
        if (!object.isNv()) {
            throw new IllegalArgumentException(p + " is no NV index (objectType " + object.objectType() + ")");
        }
        return object;
    }

    /** After a write the TPM sets WRITTEN, which changes the Name: object.json follows, as FAPI's does. */
    private void recordNvPublic(FapiPath p) {
        Path file = existingFile(p);
        FapiObject current = read(file);
        TpmsNvPublic nv = tpm.execute(new NvReadPublic(current.nvPublic().nvIndex())).nvPublic();
        current.setNvPublic(nv, NvIndices.esysSerialization(nv));
        FapiJson.write(file, current.tree());
    }

    /**
     * Stores a PEM public key (RSA or EC) at {@code path} ({@code /ext/name}) as {@code tss2_import} does,
     * e.g. a policy signer's key for PolicySigned or PolicyAuthorize by keyPath, or a key to verify with.
     */
    public FapiObject importPublicKey(String path, String pem) {
        FapiPath p = path(path);
        if (!p.isExt()) {
            throw new IllegalArgumentException(p + " is no external key path; they live at /ext/name");
        }
        PublicKey key;
        try {
            key = PublicKeys.fromPem(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key for " + p + " is no PEM public key: " + e.getMessage(), e);
        }
        FapiObject object = FapiObject.newExternalKey(pem, externalArea(key));
        write(p, object, false);
        return object;
    }

    /**
     * The public area FAPI 3.2.1 records for an imported PEM key: sign only, name algorithm SHA-1,
     * ECDSA-SHA256 for EC and RSAPSS-SHA1 for RSA keys (it only names the key; it never enters a TPM).
     */
    private static TpmtPublic externalArea(PublicKey key) {
        boolean rsa = key.getAlgorithm().equals("RSA");
        TpmtPublic p = TpmtPublic.ofPublicKey(key, TpmAlg.SHA1, TpmaObject.SIGN_ENCRYPT,
                rsa ? TpmtAsymScheme.rsapss(TpmAlg.SHA1) : TpmtAsymScheme.ecdsa(TpmAlg.SHA256));
        if (p.parameters() instanceof TpmuPublicParms.Rsa r && r.exponent() == 0) {
            return new TpmtPublic(p.nameAlg(), p.objectAttributes(), p.authPolicy(),
                    new TpmuPublicParms.Rsa(r.symmetric(), r.scheme(), r.keyBits(), 65537), p.unique());
        }
        return p;
    }

    /** Stores a JSON policy at {@code path} ({@code /policy/name}), as {@code tss2_import} of a policy file does. */
    public void importPolicy(String path, JsonPolicy policy) {
        FapiPath p = policyPath(path);
        policies.write(p, JsonPolicy.of(JsonFields.of(p.toString(), policy.instantiate(config.profile().nameAlg(),
                policyContext()))));
    }

    /** The policy at {@code path} ({@code /policy/name}). */
    public JsonPolicy policy(String path) {
        FapiPath p = policyPath(path);
        return policies.find(p).orElseThrow(() -> new IllegalArgumentException("no policy at " + p + " in the "
                + "keystore; tss2_import or FapiKeystore.importPolicy stores one"));
    }

    /**
     * Signs the policy at {@code policyPath} with the key at {@code keyPath} for PolicyAuthorize elements
     * that name that key and {@code policyRef}, as {@code tss2_authorizepolicy} does: the signature over
     * H(policyDigest || policyRef) joins the policy file's {@code policyAuthorizations}.
     */
    public void authorizePolicy(String policyPath, String keyPath, byte[] policyRef, byte[] password) {
        JsonPolicy policy = policy(policyPath);
        FapiPath kp = path(keyPath);
        TpmtPublic key = object(kp).publicArea();
        byte[] digest = policy.digest(key.nameAlg(), policyContext());
        TpmtSignature signature = signTpm(kp, PolicyDigest.hash(key.nameAlg(), digest, policyRef), password);
        addPolicyAuthorization(policyPath, new PolicyAuthorization(key, policyRef, signature));
    }

    /**
     * Adds a signature to the {@code policyAuthorizations} of the policy at {@code policyPath}, e.g. one
     * made outside any TPM ({@link PolicyAuthorization#pem}), so that PolicyAuthorize elements naming its
     * key take the policy, here and in FAPI.
     */
    public void addPolicyAuthorization(String policyPath, PolicyAuthorization authorization) {
        policies.write(policyPath(policyPath), policy(policyPath).withDigest(authorization.key().nameAlg(),
                policyContext()).withAuthorization(authorization));
    }

    private FapiPath policyPath(String path) {
        FapiPath p = path(path);
        if (!p.isPolicy()) {
            throw new IllegalArgumentException(p + " is no policy path; policies live at /policy/name");
        }
        return p;
    }

    /**
     * Duplicates the exportable key at {@code keyPath} for the new parent whose public key is at
     * {@code newParentPath} (a key, or an /ext key imported from another machine), as
     * {@code tss2_exportkey --pathToPublicKeyOfNewParent} does: the key's policy (with its
     * PolicyDuplicationSelect) authorizes TPM2_Duplicate. Returns FAPI's export object (objectType 5),
     * which {@code tss2_import} or {@link #importKey} loads under that parent.
     */
    public ObjectNode exportKey(String keyPath, String newParentPath) {
        FapiPath p = path(keyPath);
        FapiObject object = object(p);
        TpmtPublic parent = object(path(newParentPath)).publicArea();
        Duplicate.Response dup = withLoaded(p, key -> {
            int newParent = tpm.execute(new LoadExternal(parent, TpmHandles.RH_OWNER)).objectHandle();
            try {
                return authorized(p, object, TpmCc.Duplicate, null, auth -> tpm.execute(new Duplicate(key, newParent),
                        auth));
            } finally {
                tpm.execute(new FlushContext(newParent));
            }
        });
        ObjectNode out = FapiJson.object();
        out.put("objectType", DUPLICATE_OBJECT);
        out.put("system", "NO");
        out.put("duplicate", HexFormat.of().formatHex(dup.duplicate()));
        out.put("encrypted_seed", HexFormat.of().formatHex(dup.outSymSeed()));
        out.set("public", PublicAreaJson.writeSized(object.publicArea()));
        out.set("public_parent", PublicAreaJson.writeSized(parent));
        object.policy().ifPresent(policy -> out.set("policy", policy));
        return out;
    }

    /**
     * Imports a key duplicated for a key of this keystore ({@code tss2_exportkey}'s or {@link #exportKey}'s
     * object) at {@code path}, whose parent must be that key, as {@code tss2_import} does.
     */
    public FapiObject importKey(String path, ObjectNode exported) {
        FapiPath p = newObjectPath(path);
        JsonFields json = JsonFields.of(p + " (exported key)", exported);
        if (json.number("objectType", 5) != DUPLICATE_OBJECT) {
            throw json.error("objectType", "must be " + DUPLICATE_OBJECT + ", a duplicated key");
        }
        TpmtPublic publicArea = PublicAreaJson.readSized(json.object("public"));
        TpmtPublic wrappedFor = PublicAreaJson.readSized(json.object("public_parent"));
        if (!Arrays.equals(wrappedFor.name(), object(p.parent()).publicArea().name())) {
            throw new IllegalArgumentException("the key was duplicated for another parent than " + p.parent()
                    + "; import it below the key whose public area is its public_parent");
        }
        byte[] duplicate = json.hex("duplicate");
        byte[] seed = json.hex("encrypted_seed");
        byte[] outPrivate = withParent(p, (parent, auth) -> tpm.execute(new Import(parent, publicArea, duplicate, seed),
                auth)).outPrivate();
        FapiObject object = FapiObject.newKey(publicArea, outPrivate, false, 0, config.profile(p.profile())
                .signingScheme(), false, json.optionalObject("policy").map(JsonFields::node).orElse(null), new byte[0]);
        write(p, object, false);
        return object;
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
    private void update(String path, Consumer<FapiObject> change) {
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
            boolean profileless = trimmed.startsWith(FapiPath.NV) || trimmed.startsWith(FapiPath.EXT);
            String prefix = "/" + (trimmed.startsWith("P_") || profileless ? trimmed
                    : config.profileName() + "/" + trimmed);
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
                String root = rel.getNameCount() >= 2 ? rel.getName(0).toString() : "";
                if (root.startsWith("P_") || root.equals(FapiPath.NV) || root.equals(FapiPath.EXT)) {
                    String path = "/" + String.join("/", Arrays.stream(rel.toString().split("[/\\\\]")).toList());
                    try {
                        FapiPath.parse(path, "");
                        found.add(path);
                    } catch (IllegalArgumentException notAKeystorePath) {
                        // a directory FAPI would not name
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the key, sealed object, NV index, external key or policy at {@code path} and everything
     * below it; a persistent key is evicted, an NV index undefined. System objects (hierarchies, SRK,
     * EK) are refused.
     */
    public void delete(String path) {
        FapiPath p = path(path);
        if (p.isSystemObject()) {
            throw new IllegalArgumentException(p + " is a system object; tpmauth does not delete hierarchies, "
                    + "the SRK or the EK");
        }
        if (p.isPolicy()) {
            if (!policies.delete(p)) {
                throw new IllegalArgumentException("no policy at " + p + " in the keystore");
            }
            return;
        }
        FapiObject object = object(p);
        if (object.persistentHandle() != 0) {
            tpm.execute(EvictControl.evict(TpmHandles.RH_OWNER, object.persistentHandle()));
        }
        if (object.isNv()) {
            tpm.execute(new NvUndefineSpace(TpmHandles.RH_OWNER, object.nvPublic().nvIndex()));
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

    /** Flushes what this keystore loaded, unless it shares its TpmKeys with its caller. */
    @Override
    public void close() {
        if (ownsKeys) {
            keys.close();
        }
    }
}
