package org.tpmauth.tss.keys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.wire.TpmFormatException;
import org.tpmauth.tss.wire.TpmReader;

/**
 * A TPM 2.0 key file in the interoperable {@code TSS2 PRIVATE KEY} format ("ASN.1 Specification
 * for TPM 2.0 Key Files", J. Bottomley), the one tpm2-openssl, tpm2-tss-engine, openconnect, the
 * Linux kernel and tpm2-tools' {@code tpm2_encodeobject} read and write:
 *
 * <pre>
 * TPMKey ::= SEQUENCE {
 *     type        OBJECT IDENTIFIER,                          -- 2.23.133.10.1.3 loadable key
 *     emptyAuth   [0] EXPLICIT BOOLEAN OPTIONAL,
 *     policy      [1] EXPLICIT SEQUENCE OF TPMPolicy OPTIONAL,
 *     secret      [2] EXPLICIT OCTET STRING OPTIONAL,
 *     authPolicy  [3] EXPLICIT SEQUENCE OF TPMAuthPolicy OPTIONAL,
 *     description [4] EXPLICIT UTF8String OPTIONAL,
 *     rsaParent   [5] EXPLICIT BOOLEAN OPTIONAL,
 *     parent      INTEGER,
 *     pubkey      OCTET STRING,                               -- TPM2B_PUBLIC
 *     privkey     OCTET STRING                                -- TPM2B_PRIVATE
 * }
 * </pre>
 *
 * This class is the file format only. {@code pubkey} and {@code privkey} are the TPM2B_PUBLIC and
 * TPM2B_PRIVATE exactly as they appear in the file (size prefix included), ready to be handed to
 * TPM2_Load under the parent. Reading accepts loadable and sealed objects with {@code emptyAuth},
 * {@code description}, {@code policy} (PolicyPCR, PolicyAuthValue, PolicyAuthorize) and {@code authPolicy}
 * (signed policies); a file with {@code secret}, {@code rsaParent}, another policy command, an unknown
 * optional field, or the importable key type raises {@link UnsupportedKeyFileException}, never a
 * silently wrong load. Like OpenSSL, reading accepts
 * BER as well as DER. Writing produces what tpm2-openssl and {@code tpm2_encodeobject} write (their
 * files come back byte for byte): DER, except that {@code emptyAuth} TRUE has the content octet
 * 0x01 as OpenSSL's ASN1_BOOLEAN writes it; {@link #toPem()} wraps it in 64-character base64 lines.
 *
 * @param type        the key type OID
 * @param emptyAuth   the {@code emptyAuth} flag as written: empty when absent (see
 *                    {@link #needsPassword()})
 * @param parent      the parent: a hierarchy (TPM_RH_OWNER 0x40000001, TPM_RH_ENDORSEMENT,
 *                    TPM_RH_PLATFORM, TPM_RH_NULL), in which the loader re-creates the primary
 *                    storage key the writer used (tpm2-openssl: an ECC P-256 restricted decrypt
 *                    key, AES-128-CFB, empty unique, SHA-256), or the persistent handle
 *                    (0x81xxxxxx) of the parent key
 * @param pubkey      the TPM2B_PUBLIC
 * @param privkey     the TPM2B_PRIVATE (the TPM-wrapped private part; never printed)
 * @param description the optional human-readable description
 * @param policy      the {@code [1] policy} commands a policy session runs before the object is used
 *                    (empty when absent); only those of {@link TpmPolicy#SUPPORTED} are read
 * @param authPolicy  the {@code [3] authPolicy} signed policies, tried in order when {@code policy} starts
 *                    with TPM2_PolicyAuthorize (empty when absent)
 */
public record Tss2KeyFile(KeyType type, Optional<Boolean> emptyAuth, int parent, byte[] pubkey, byte[] privkey,
        Optional<String> description, List<TpmPolicy> policy, List<TpmAuthPolicy> authPolicy) {

    /** The PEM label, as in {@code -----BEGIN TSS2 PRIVATE KEY-----}. */
    public static final String PEM_LABEL = "TSS2 PRIVATE KEY";

    /** Key files are a few hundred bytes; policies add a few kilobytes. Anything larger is not one. */
    static final int MAX_FILE_SIZE = 64 * 1024;

    /** The key type OIDs (TCG arc 2.23.133.10.1). */
    public enum KeyType {
        /** A key to load with TPM2_Load under its parent. */
        LOADABLE("2.23.133.10.1.3", "a loadable key for TPM2_Load"),
        /** A key wrapped for TPM2_Import (needs the {@code secret} field). */
        IMPORTABLE("2.23.133.10.1.4", "an importable key for TPM2_Import"),
        /** A sealed data object, released by TPM2_Unseal. */
        SEALED("2.23.133.10.1.5", "sealed data for TPM2_Unseal");

        private final String oid;
        private final String description;

        KeyType(String oid, String description) {
            this.oid = oid;
            this.description = description;
        }

        /** The OID in dotted form. */
        public String oid() {
            return oid;
        }

        /** The type named by {@code oid}, if it is one of these. */
        public static Optional<KeyType> ofOid(String oid) {
            return Arrays.stream(values()).filter(t -> t.oid.equals(oid)).findFirst();
        }

        @Override
        public String toString() {
            return description + " (" + oid + ")";
        }
    }

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException when the parent is not a hierarchy or persistent handle, a
     *                                  blob is not a TPM2B whose size fills it exactly, or the
     *                                  description has unpaired surrogates
     */
    public Tss2KeyFile {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(emptyAuth, "emptyAuth");
        Objects.requireNonNull(description, "description");
        policy = List.copyOf(policy);
        authPolicy = List.copyOf(authPolicy);
        String problem = problem(parent, pubkey, privkey);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (description.isPresent() && !StandardCharsets.UTF_8.newEncoder().canEncode(description.get())) {
            throw new IllegalArgumentException("description is not valid Unicode text");
        }
        pubkey = pubkey.clone();
        privkey = privkey.clone();
    }

    /**
     * A loadable key as tpm2-openssl writes it: {@code emptyAuth} present (TRUE when the key has no
     * auth value, FALSE when it has one), no description.
     */
    public static Tss2KeyFile loadable(int parent, byte[] pubkey, byte[] privkey, boolean emptyAuth) {
        return loadable(parent, pubkey, privkey, emptyAuth, List.of());
    }

    /** A key file without a policy. */
    public Tss2KeyFile(KeyType type, Optional<Boolean> emptyAuth, int parent, byte[] pubkey, byte[] privkey,
            Optional<String> description) {
        this(type, emptyAuth, parent, pubkey, privkey, description, List.of(), List.of());
    }

    /** A key file without signed policies. */
    public Tss2KeyFile(KeyType type, Optional<Boolean> emptyAuth, int parent, byte[] pubkey, byte[] privkey,
            Optional<String> description, List<TpmPolicy> policy) {
        this(type, emptyAuth, parent, pubkey, privkey, description, policy, List.of());
    }

    /** A loadable key with its policy (empty for none). */
    public static Tss2KeyFile loadable(int parent, byte[] pubkey, byte[] privkey, boolean emptyAuth,
            List<TpmPolicy> policy) {
        return new Tss2KeyFile(KeyType.LOADABLE, Optional.of(emptyAuth), parent, pubkey, privkey, Optional.empty(),
                policy);
    }

    /** A sealed data object (2.23.133.10.1.5) with its policy (empty for a password-only object). */
    public static Tss2KeyFile sealed(int parent, byte[] pubkey, byte[] privkey, boolean emptyAuth,
            List<TpmPolicy> policy) {
        return new Tss2KeyFile(KeyType.SEALED, Optional.of(emptyAuth), parent, pubkey, privkey, Optional.empty(),
                policy);
    }

    /** This key file with the given description (or none when {@code null}). */
    public Tss2KeyFile withDescription(String description) {
        return new Tss2KeyFile(type, emptyAuth, parent, pubkey, privkey, Optional.ofNullable(description), policy,
                authPolicy);
    }

    /**
     * This key file with {@code signed} first in its {@code [3] authPolicy} (tried first, as
     * openssl_tpm2_engine adds a new policy), replacing an equal one already there.
     *
     * @throws IllegalArgumentException when the file's own policy does not start with TPM2_PolicyAuthorize
     */
    public Tss2KeyFile withSignedPolicy(TpmAuthPolicy signed) {
        if (policy.isEmpty() || policy.get(0).commandCode() != TpmCc.PolicyAuthorize) {
            throw new IllegalArgumentException("this key file's object is not under an authorized policy "
                    + "(its policy is " + (policy.isEmpty() ? "empty" : policy) + "), so a signed policy cannot help");
        }
        List<TpmAuthPolicy> signedFirst = new ArrayList<>(List.of(signed));
        authPolicy.stream().filter(p -> !p.equals(signed)).forEach(signedFirst::add);
        return new Tss2KeyFile(type, emptyAuth, parent, pubkey, privkey, description, policy, signedFirst);
    }

    /**
     * Whether the key may need an auth value (password), following tpm2-openssl: only an explicit
     * {@code emptyAuth TRUE} says it does not; absent or FALSE means "may need one". A loader asks
     * for a password in that case and, when none was given, tries the empty one: tpm2-tools'
     * {@code tpm2_encodeobject} writes FALSE for keys without a password (and, before the fix for
     * tpm2-tools issue #3458, e.g. in Debian 12's 5.4, TRUE for keys created with one when run with
     * {@code -p}), so emptyAuth is a hint, not a guarantee. A password the user did give is worth
     * trying whatever the flag says. Each wrong try counts against the TPM's dictionary-attack
     * lockout unless the key has {@code noDA}.
     */
    public boolean needsPassword() {
        return !emptyAuth.orElse(false);
    }

    /** The TPM2B_PUBLIC (a copy). */
    @Override
    public byte[] pubkey() {
        return pubkey.clone();
    }

    /** The TPM2B_PRIVATE (a copy). */
    @Override
    public byte[] privkey() {
        return privkey.clone();
    }

    /** Reads a key file in PEM or DER form. */
    public static Tss2KeyFile read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] data = in.readNBytes(MAX_FILE_SIZE + 1);
            return read(data);
        }
    }

    /** Parses a key file in PEM or DER form (DER starts with a SEQUENCE tag, PEM with text). */
    public static Tss2KeyFile read(byte[] data) throws KeyFileFormatException {
        return Tss2KeyFileCodec.read(data);
    }

    /** Parses a PEM key file; text before the BEGIN line is ignored, as RFC 7468 allows. */
    public static Tss2KeyFile fromPem(String pem) throws KeyFileFormatException {
        return Tss2KeyFileCodec.fromPem(pem);
    }

    /** Parses the DER form (the content of the PEM block). */
    public static Tss2KeyFile fromDer(byte[] der) throws KeyFileFormatException {
        return Tss2KeyFileCodec.fromDer(der);
    }

    /** The DER encoding. */
    public byte[] toDer() {
        return Tss2KeyFileCodec.toDer(this);
    }

    /** The PEM text, {@code -----BEGIN TSS2 PRIVATE KEY-----} block ending with a newline. */
    public String toPem() {
        return Tss2KeyFileCodec.toPem(this);
    }

    /**
     * Writes the PEM to {@code file}, readable by its owner only (as other tools write key files),
     * through a temporary file renamed into place so that a reader never sees half a key.
     */
    public void writePem(Path file) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        try {
            Files.writeString(tmp, toPem());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Why these fields cannot form a key file, or null when they can. Shared by the constructor and
     * the parser so both apply the same rules.
     */
    static String problem(int parent, byte[] pubkey, byte[] privkey) {
        if (!isHierarchy(parent) && !TpmHandles.isPersistent(parent)) {
            return "parent " + TpmHandles.hex(parent) + " is neither a hierarchy (owner 0x40000001, endorsement,"
                    + " platform, null) nor a persistent handle (0x81xxxxxx)";
        }
        String pub = tpm2bProblem("pubkey", "TPM2B_PUBLIC", Objects.requireNonNull(pubkey, "pubkey"));
        return pub != null ? pub : tpm2bProblem("privkey", "TPM2B_PRIVATE", Objects.requireNonNull(privkey, "privkey"));
    }

    private static boolean isHierarchy(int handle) {
        return handle == TpmHandles.RH_OWNER || handle == TpmHandles.RH_ENDORSEMENT
                || handle == TpmHandles.RH_PLATFORM || handle == TpmHandles.RH_NULL;
    }

    /** The blob must be one TPM2B whose size field covers exactly the rest. */
    private static String tpm2bProblem(String field, String structure, byte[] blob) {
        try {
            TpmReader in = new TpmReader(blob).enter(structure);
            if (in.sized().length == 0) {
                return field + " is an empty " + structure;
            }
            in.expectEnd();
            return null;
        } catch (TpmFormatException e) {
            return field + " is not a " + structure + ": " + e.getMessage();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tss2KeyFile k && type == k.type && emptyAuth.equals(k.emptyAuth) && parent == k.parent
                && Arrays.equals(pubkey, k.pubkey) && Arrays.equals(privkey, k.privkey)
                && description.equals(k.description) && policy.equals(k.policy) && authPolicy.equals(k.authPolicy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, emptyAuth, parent, Arrays.hashCode(pubkey), Arrays.hashCode(privkey), description,
                policy, authPolicy);
    }

    /** Shows sizes, not blobs: the private part stays out of logs. */
    @Override
    public String toString() {
        return "Tss2KeyFile[type=" + type + ", emptyAuth=" + emptyAuth.map(String::valueOf).orElse("absent")
                + ", parent=" + TpmHandles.hex(parent) + ", pubkey=" + pubkey.length + " bytes, privkey=(hidden, "
                + privkey.length + " bytes)" + description.map(d -> ", description=" + d).orElse("")
                + (policy.isEmpty() ? "" : ", policy=" + policy)
                + (authPolicy.isEmpty() ? "" : ", authPolicy=" + authPolicy.size() + " signed") + "]";
    }
}
