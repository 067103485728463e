package org.tpmauth.tss.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.Capabilities;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.EvictControl;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.Sign;
import org.tpmauth.tss.testing.LibtpmsExtension;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmPt;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.wire.TpmReader;

/**
 * The keys layer on real TPM engines: the in-process libtpms for the signature matrix and most
 * failure paths, one swtpm for what depends on a second TPM or on swtpm's three object slots.
 * Signatures are checked with the JDK's providers against {@link TpmKey#publicKey()}.
 */
class TpmKeysTest {
    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();

    private static final int OWNER = TpmHandles.RH_OWNER;
    private static final byte[] NO_PASSWORD = new byte[0];
    private static final byte[] MESSAGE = "signed inside the TPM".getBytes(StandardCharsets.UTF_8);
    private static final List<TpmAlg> HASHES = List.of(TpmAlg.SHA256, TpmAlg.SHA384, TpmAlg.SHA512);
    /** Persistent handles of this class on the JVM-wide libtpms (other classes must not use them). */
    private static final int PERSIST_HANDLE = 0x81000A11;
    private static final int PARENT_HANDLE = 0x81000A12;
    private static final int RSA_PARENT_HANDLE = 0x81000A13;

    private static byte[] password(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> algorithmsAndSchemes() {
        return Stream.of(KeyAlgorithm.values()).flatMap(a -> a.isEcc()
                ? Stream.of(Arguments.of(a, SigningScheme.ECDSA))
                : Stream.of(Arguments.of(a, SigningScheme.PKCS1), Arguments.of(a, SigningScheme.PSS)));
    }

    /** Signs MESSAGE with {@code hash} and checks the signature with JCA (and that it binds the message). */
    private static byte[] signAndVerify(TpmKeys keys, TpmKey key, TpmAlg hash, SigningScheme scheme) {
        byte[] signature = keys.sign(key, Signatures.digest(hash, MESSAGE), hash, scheme);
        assertTrue(Signatures.verify(key.publicKey(), MESSAGE, signature, hash, scheme),
                scheme + " " + hash + " signature of " + key + " does not verify");
        byte[] other = "another message".getBytes(StandardCharsets.UTF_8);
        assertFalse(Signatures.verify(key.publicKey(), other, signature, hash, scheme));
        return signature;
    }

    // ---- the matrix: create -> PEM -> parse -> load -> sign with every hash -> verify (libtpms)

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("algorithmsAndSchemes")
    void createdKeyFileLoadsAndSignsWithEveryHash(KeyAlgorithm algorithm, SigningScheme scheme) throws Exception {
        try (TpmKeys keys = new TpmKeys(LibtpmsExtension.tpm())) {
            Tss2KeyFile created = keys.create(algorithm, NO_PASSWORD, OWNER);
            String pem = created.toPem();
            assertTrue(pem.startsWith("-----BEGIN TSS2 PRIVATE KEY-----\n"), pem);
            Tss2KeyFile file = Tss2KeyFile.fromPem(pem);
            assertEquals(created, file);
            assertEquals(Tss2KeyFile.KeyType.LOADABLE, file.type());
            assertEquals(OWNER, file.parent());
            assertEquals(Optional.of(true), file.emptyAuth(), "a key without password is written emptyAuth TRUE");
            assertFalse(file.needsPassword());

            TpmKey key = keys.load(file, NO_PASSWORD);
            assertEquals(TpmHandles.HT_TRANSIENT, TpmHandles.type(key.handle()));
            assertFalse(key.isPersistent());
            assertEquals(KeyTemplates.signingKey(algorithm, false).objectAttributes(),
                    key.publicArea().objectAttributes());
            assertTrue(TpmaObject.has(key.publicArea().objectAttributes(), TpmaObject.NO_DA));
            assertKeyShape(algorithm, key);
            for (TpmAlg hash : HASHES) {
                byte[] signature = signAndVerify(keys, key, hash, scheme);
                if (scheme == SigningScheme.PSS) {
                    assertEquals(hash.digestSize(), Signatures.pssSaltLength((RSAPublicKey) key.publicKey(),
                            signature, hash), "PSS salt length = digest length");
                }
            }
        }
    }

    // ---- keys with a fixed signing scheme (strongSwan's tpm plugin signs with TPM_ALG_NULL)

    static Stream<Arguments> fixedSchemes() {
        return Stream.of(Arguments.of(KeyAlgorithm.EC_P256, "ecdsa-sha256", SigningScheme.ECDSA, null),
                Arguments.of(KeyAlgorithm.EC_P384, "ecdsa-sha384", SigningScheme.ECDSA, null),
                Arguments.of(KeyAlgorithm.RSA_2048, "rsassa-sha256", SigningScheme.PKCS1, SigningScheme.PSS),
                Arguments.of(KeyAlgorithm.RSA_2048, "rsapss-sha256", SigningScheme.PSS, SigningScheme.PKCS1));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixedSchemes")
    void aFixedSchemeIsInThePublicAreaAndTheOnlyWayTheKeySigns(KeyAlgorithm algorithm, String name,
            SigningScheme scheme, SigningScheme other) throws Exception {
        KeyScheme fixed = KeyScheme.parse(name);
        assertEquals(name, fixed.toString());
        try (TpmKeys keys = new TpmKeys(LibtpmsExtension.tpm())) {
            Tss2KeyFile file = keys.create(algorithm, fixed, NO_PASSWORD, OWNER, List.of(), null);
            TpmtPublic area = TpmtPublic.readSized(new TpmReader(file.pubkey()));
            assertEquals(Optional.of(fixed), KeyScheme.of(area));
            assertTrue(TpmaObject.has(area.objectAttributes(), TpmaObject.NO_DA), "noDA without a password");
            assertTrue(TpmaObject.has(area.objectAttributes(), TpmaObject.SIGN_ENCRYPT));
            assertFalse(TpmaObject.has(area.objectAttributes(), TpmaObject.DECRYPT), "the TPM wants sign-only");

            TpmKey key = keys.load(Tss2KeyFile.fromPem(file.toPem()), NO_PASSWORD);
            signAndVerify(keys, key, fixed.hash(), scheme);
            // what strongSwan's plugin sends: the NULL scheme, the TPM uses the key's own
            TpmtSignature nullScheme = LibtpmsExtension.tpm().execute(new Sign(key.handle(),
                    Signatures.digest(fixed.hash(), MESSAGE), TpmtSigScheme.NULL)).signature();
            assertEquals(scheme.tpmScheme(), nullScheme.sigAlg());
            assertTrue(Signatures.verify(key.publicKey(), MESSAGE, SignatureEncoding.standard(nullScheme),
                    fixed.hash(), scheme));

            TpmAlg otherHash = fixed.hash() == TpmAlg.SHA256 ? TpmAlg.SHA384 : TpmAlg.SHA256;
            IllegalArgumentException wrongHash = assertThrows(IllegalArgumentException.class,
                    () -> keys.sign(key, Signatures.digest(otherHash, MESSAGE), otherHash, scheme));
            assertTrue(wrongHash.getMessage().contains("this key signs with " + name + " only"),
                    wrongHash.getMessage());
            if (other != null) { // RSA: the other padding
                IllegalArgumentException wrongScheme = assertThrows(IllegalArgumentException.class,
                        () -> keys.sign(key, Signatures.digest(fixed.hash(), MESSAGE), fixed.hash(), other));
                assertTrue(wrongScheme.getMessage().contains(name), wrongScheme.getMessage());
                IllegalArgumentException raw = assertThrows(IllegalArgumentException.class,
                        () -> keys.rsaRaw(key, new byte[] {1}));
                assertTrue(raw.getMessage().contains("sign-only"), raw.getMessage());
            }
        }
    }

    @Test
    void aSchemeThatDoesNotFitTheKeyTypeOrAnUnknownOneIsRefusedBeforeTheTpm() {
        try (TpmKeys keys = new TpmKeys(LibtpmsExtension.tpm())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> keys.create(
                    KeyAlgorithm.EC_P256, KeyScheme.parse("rsassa-sha256"), NO_PASSWORD, OWNER, List.of(), null));
            assertTrue(e.getMessage().contains("does not fit a ec-p256 key; use ecdsa-sha256"), e.getMessage());
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> KeyScheme.parse("ecdsa-sha1"));
        assertTrue(unknown.getMessage().contains("ecdsa-sha256, ecdsa-sha384, ecdsa-sha512, rsassa-sha256"),
                unknown.getMessage());
        assertEquals(Optional.empty(), KeyScheme.of(KeyTemplates.signingKey(KeyAlgorithm.EC_P256, false)));
    }

    private static void assertKeyShape(KeyAlgorithm algorithm, TpmKey key) {
        if (algorithm.isEcc()) {
            assertEquals(TpmAlg.ECC, key.type());
            ECPublicKey ec = assertInstanceOf(ECPublicKey.class, key.publicKey());
            int bits = algorithm == KeyAlgorithm.EC_P256 ? 256 : 384;
            assertEquals(bits, ec.getParams().getOrder().bitLength());
        } else {
            assertEquals(TpmAlg.RSA, key.type());
            RSAPublicKey rsa = assertInstanceOf(RSAPublicKey.class, key.publicKey());
            assertEquals(algorithm.rsaBits(), rsa.getModulus().bitLength());
        }
    }

    @Test
    void defaultSchemeAndHashFitEachAlgorithm() {
        try (TpmKeys keys = new TpmKeys(LibtpmsExtension.tpm())) {
            TpmKey ec = keys.load(keys.create(KeyAlgorithm.EC_P384, null, OWNER), null);
            assertEquals(SigningScheme.ECDSA, SigningScheme.defaultFor(ec.type()));
            signAndVerify(keys, ec, KeyAlgorithm.EC_P384.defaultHash(), SigningScheme.defaultFor(ec.type()));
            assertEquals(SigningScheme.PKCS1, SigningScheme.defaultFor(TpmAlg.RSA));
        }
    }

    // ---- wrong use of the signing API

    @Test
    void schemeThatDoesNotFitTheKeyIsRefusedBeforeTheTpm() {
        try (TpmKeys keys = new TpmKeys(LibtpmsExtension.tpm())) {
            TpmKey ec = keys.load(keys.create(KeyAlgorithm.EC_P256, null, OWNER), null);
            byte[] digest = Signatures.digest(TpmAlg.SHA256, MESSAGE);
            IllegalArgumentException pss = assertThrows(IllegalArgumentException.class,
                    () -> keys.sign(ec, digest, TpmAlg.SHA256, SigningScheme.PSS));
            assertTrue(pss.getMessage().contains("scheme pss does not fit an EC key; use ecdsa"), pss.getMessage());
            assertThrows(IllegalArgumentException.class, () -> keys.sign(ec, digest, TpmAlg.SHA256, SigningScheme.PKCS1));

            TpmKey rsa = keys.load(keys.create(KeyAlgorithm.RSA_2048, null, OWNER), null);
            IllegalArgumentException ecdsa = assertThrows(IllegalArgumentException.class,
                    () -> keys.sign(rsa, digest, TpmAlg.SHA256, SigningScheme.ECDSA));
            assertTrue(ecdsa.getMessage().contains("scheme ecdsa does not fit an RSA key; use pkcs1"),
                    ecdsa.getMessage());

            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> keys.sign(rsa, digest, TpmAlg.SHA384, SigningScheme.PKCS1));
            assertEquals("a SHA384 digest has 48 bytes, not 32", size.getMessage());
        }
    }

    // ---- passwords (swtpm: wrong tries count against dictionary-attack protection, reset after)

    @Test
    void passwordKeySignsWithItsPasswordOnly() throws Exception {
        Tpm tpm = SWTPM.tpm();
        byte[] secret = password("correct horse");
        try (TpmKeys keys = new TpmKeys(tpm)) {
            Tss2KeyFile file = Tss2KeyFile.fromPem(keys.create(KeyAlgorithm.EC_P256, secret, OWNER).toPem());
            assertEquals(Optional.of(false), file.emptyAuth(), "a key with a password is written emptyAuth FALSE");
            assertTrue(file.needsPassword());

            TpmKey right = keys.load(file, secret);
            assertFalse(TpmaObject.has(right.publicArea().objectAttributes(), TpmaObject.NO_DA),
                    "a password key keeps dictionary-attack protection");
            signAndVerify(keys, right, TpmAlg.SHA256, SigningScheme.ECDSA);
            keys.unload(right);

            TpmKey wrong = keys.load(file, password("battery staple"));
            int max = Capabilities.property(tpm, TpmPt.MAX_AUTH_FAIL).orElseThrow();
            int leftAfterThisTry = max - Capabilities.property(tpm, TpmPt.LOCKOUT_COUNTER).orElseThrow() - 1;
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> keys.sign(wrong, Signatures.digest(TpmAlg.SHA256, MESSAGE), TpmAlg.SHA256,
                            SigningScheme.ECDSA));
            assertEquals(TpmRc.AUTH_FAIL, e.baseCode());
            assertEquals("TPM2_Sign failed: TPM_RC_AUTH_FAIL (session 1): wrong password for this key; the"
                    + " dictionary-attack counter was increased; " + leftAfterThisTry + " of " + max
                    + " tries left before the TPM locks out", e.getMessage());
            keys.unload(wrong);

            TpmKey none = keys.load(file, NO_PASSWORD);
            TpmException missing = assertThrows(TpmException.class,
                    () -> keys.sign(none, Signatures.digest(TpmAlg.SHA256, MESSAGE), TpmAlg.SHA256,
                            SigningScheme.ECDSA));
            assertFalse(missing instanceof TpmResponseException, missing.toString());
            assertTrue(missing.getMessage().startsWith("this key has a password, and none was given"),
                    missing.getMessage());
            assertEquals(TpmRc.AUTH_FAIL, assertInstanceOf(TpmResponseException.class, missing.getCause()).baseCode());
        } finally {
            tpm.execute(new DictionaryAttackLockReset());
        }
    }

    @Test
    void passwordForAKeyWithoutOneIsAWrongPasswordWithoutDictionaryAttackCount() {
        try (TpmKeys keys = new TpmKeys(LibtpmsExtension.tpm())) {
            TpmKey key = keys.load(keys.create(KeyAlgorithm.EC_P256, NO_PASSWORD, OWNER), password("not needed"));
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> keys.sign(key, Signatures.digest(TpmAlg.SHA256, MESSAGE), TpmAlg.SHA256,
                            SigningScheme.ECDSA));
            assertEquals(TpmRc.BAD_AUTH, e.baseCode(), "the key has noDA");
            assertTrue(e.getMessage().contains("wrong authorization (password or HMAC)"), e.getMessage());
        }
    }

    // ---- one primary per TpmKeys; more keys than swtpm's three object slots

    @Test
    void primaryIsCreatedOnceAndMoreKeysThanSwtpmsThreeSlotsStayLoaded() {
        CountingTcti counting = new CountingTcti(SWTPM.tpm().tcti());
        Tpm tpm = new Tpm(counting, true);
        List<Tss2KeyFile> files = new ArrayList<>();
        try (TpmKeys keys = new TpmKeys(tpm)) {
            for (KeyAlgorithm a : List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P384, KeyAlgorithm.RSA_2048,
                    KeyAlgorithm.EC_P256)) {
                files.add(keys.create(a, NO_PASSWORD, OWNER));
            }
            // primary + two keys fill swtpm's three slots; the resource manager makes room for a third
            TpmKey first = keys.load(files.get(0), NO_PASSWORD);
            TpmKey second = keys.load(files.get(1), NO_PASSWORD);
            TpmKey third = keys.load(files.get(2), NO_PASSWORD);
            signAndVerify(keys, first, TpmAlg.SHA256, SigningScheme.ECDSA);
            signAndVerify(keys, second, TpmAlg.SHA384, SigningScheme.ECDSA);
            signAndVerify(keys, third, TpmAlg.SHA256, SigningScheme.PSS);
            signAndVerify(keys, first, TpmAlg.SHA256, SigningScheme.ECDSA);
            assertTrue(counting.count(TpmCc.ContextSave) > 0, "objects were swapped out, not refused");

            keys.unload(first);
            keys.unload(first); // twice is harmless
            keys.unload(third);
            for (Tss2KeyFile f : List.of(files.get(3), files.get(0), files.get(2))) {
                TpmKey k = keys.load(f, NO_PASSWORD);
                signAndVerify(keys, k, TpmAlg.SHA256, SigningScheme.defaultFor(k.type()));
                keys.unload(k);
            }
            assertEquals(1, counting.count(TpmCc.CreatePrimary), "one storage primary for 4 creates and 6 loads");
            assertEquals(6, counting.count(TpmCc.Load), "each load once; none refused for want of a slot");
        }
        // close flushed the primary and the key still loaded: two keys fit again
        try (TpmKeys keys = new TpmKeys(tpm)) {
            keys.load(files.get(0), NO_PASSWORD);
            keys.load(files.get(1), NO_PASSWORD);
        }
        assertEquals(2, counting.count(TpmCc.CreatePrimary), "each TpmKeys creates its own primary once");
    }

    // ---- persistence (libtpms; handles of this class only)

    @Test
    void persistedKeySignsByHandleUntilEvicted() {
        Tpm tpm = LibtpmsExtension.tpm();
        byte[] secret = password("persisted secret");
        try (TpmKeys keys = new TpmKeys(tpm)) {
            TpmKey loaded = keys.load(keys.create(KeyAlgorithm.RSA_2048, secret, OWNER), secret);
            TpmKey persisted = keys.persist(loaded, PERSIST_HANDLE);
            assertEquals(PERSIST_HANDLE, persisted.handle());
            assertTrue(persisted.isPersistent());
            keys.unload(loaded);

            TpmKey byHandle = keys.persistent(PERSIST_HANDLE, secret);
            assertArrayEquals(loaded.name(), byHandle.name());
            assertEquals(loaded.publicKey(), byHandle.publicKey());
            signAndVerify(keys, byHandle, TpmAlg.SHA256, SigningScheme.PKCS1);
            signAndVerify(keys, byHandle, TpmAlg.SHA512, SigningScheme.PSS);
            keys.unload(byHandle); // not loaded by this instance: stays persistent
            signAndVerify(keys, keys.persistent(PERSIST_HANDLE, secret), TpmAlg.SHA256, SigningScheme.PSS);

            TpmKey other = keys.load(keys.create(KeyAlgorithm.EC_P256, null, OWNER), null);
            TpmException taken = assertThrows(TpmException.class, () -> keys.persist(other, PERSIST_HANDLE));
            assertEquals("persistent handle 0x81000a11 is already in use; pick another, or free it with"
                    + " `tpmauth key evict --handle 0x81000a11`", taken.getMessage());
            assertEquals(TpmRc.NV_DEFINED, assertInstanceOf(TpmResponseException.class, taken.getCause()).baseCode());

            keys.evict(PERSIST_HANDLE);
            TpmException gone = assertThrows(TpmException.class, () -> keys.persistent(PERSIST_HANDLE, secret));
            assertEquals("nothing is persisted at 0x81000a11; `tpmauth key list` shows the persistent handles",
                    gone.getMessage());
            assertEquals(gone.getMessage(), assertThrows(TpmException.class,
                    () -> keys.evict(PERSIST_HANDLE)).getMessage());
        } finally {
            evictQuietly(tpm, PERSIST_HANDLE);
        }
    }

    @Test
    void handlesOutsideThePersistentRangeAreRefused() {
        try (TpmKeys keys = new TpmKeys(LibtpmsExtension.tpm())) {
            TpmKey key = keys.load(keys.create(KeyAlgorithm.EC_P256, null, OWNER), null);
            IllegalArgumentException persist = assertThrows(IllegalArgumentException.class,
                    () -> keys.persist(key, 0x80000001));
            assertEquals("0x80000001 is not an owner persistent handle; owner keys go in 0x81000000-0x817fffff",
                    persist.getMessage());
            IllegalArgumentException platform = assertThrows(IllegalArgumentException.class,
                    () -> keys.persist(key, 0x81800000));
            assertTrue(platform.getMessage().startsWith("0x81800000 is not an owner persistent handle"),
                    platform.getMessage());
            IllegalArgumentException read = assertThrows(IllegalArgumentException.class,
                    () -> keys.persistent(OWNER, null));
            assertTrue(read.getMessage().startsWith("0x40000001 is not a persistent handle"), read.getMessage());
        }
    }

    private static void evictQuietly(Tpm tpm, int handle) {
        try {
            tpm.execute(EvictControl.evict(OWNER, handle));
        } catch (TpmResponseException absent) {
            // already gone, as it should be
        }
    }

    /** A storage key persisted at {@code handle} from {@code template}. */
    private static void persistStorageKey(Tpm tpm, TpmtPublic template, int handle) {
        int primary = tpm.execute(new CreatePrimary(OWNER, template)).objectHandle();
        try {
            tpm.execute(new EvictControl(OWNER, primary, handle));
        } finally {
            tpm.execute(new FlushContext(primary));
        }
    }

    // ---- key files that do not fit this TPM

    @Test
    void keyUnderAPersistentParentLoadsUntilTheParentIsEvicted() {
        Tpm tpm = LibtpmsExtension.tpm();
        persistStorageKey(tpm, KeyTemplates.storagePrimaryEcc(), PARENT_HANDLE);
        try (TpmKeys keys = new TpmKeys(tpm)) {
            Tss2KeyFile file = keys.create(KeyAlgorithm.EC_P256, null, PARENT_HANDLE);
            assertEquals(PARENT_HANDLE, file.parent());
            TpmKey key = keys.load(file, null);
            signAndVerify(keys, key, TpmAlg.SHA256, SigningScheme.ECDSA);
            keys.unload(key);

            tpm.execute(EvictControl.evict(OWNER, PARENT_HANDLE));
            TpmException e = assertThrows(TpmException.class, () -> keys.load(file, null));
            assertEquals("the key's parent 0x81000a12 is not persisted in this TPM: the key file belongs to another"
                    + " TPM, or its parent key was evicted", e.getMessage());
            assertEquals(TpmRc.HANDLE, assertInstanceOf(TpmResponseException.class, e.getCause()).baseCode());
        } finally {
            evictQuietly(tpm, PARENT_HANDLE);
        }
    }

    @Test
    void keyFileNamingAnotherParentKeyDoesNotLoad() {
        Tpm tpm = LibtpmsExtension.tpm();
        persistStorageKey(tpm, KeyTemplates.storagePrimaryRsa(), RSA_PARENT_HANDLE);
        try (TpmKeys keys = new TpmKeys(tpm)) {
            Tss2KeyFile underOwner = keys.create(KeyAlgorithm.EC_P256, null, OWNER);
            Tss2KeyFile relabelled = Tss2KeyFile.loadable(RSA_PARENT_HANDLE, underOwner.pubkey(),
                    underOwner.privkey(), true);
            TpmException e = assertThrows(TpmException.class, () -> keys.load(relabelled, null));
            assertDoesNotBelong(e);
        } finally {
            evictQuietly(tpm, RSA_PARENT_HANDLE);
        }
    }

    @Test
    void keyFileFromAnotherTpmDoesNotLoad() throws Exception {
        Tss2KeyFile fromSwtpm;
        try (TpmKeys swtpmKeys = new TpmKeys(SWTPM.tpm())) {
            fromSwtpm = Tss2KeyFile.fromPem(swtpmKeys.create(KeyAlgorithm.EC_P256, null, OWNER).toPem());
            swtpmKeys.load(fromSwtpm, null); // it does belong to swtpm
        }
        try (TpmKeys keys = new TpmKeys(LibtpmsExtension.tpm())) {
            TpmException e = assertThrows(TpmException.class, () -> keys.load(fromSwtpm, null));
            assertDoesNotBelong(e);
        }
    }

    @Test
    void keyFileWhosePrivatePartWasAlteredDoesNotLoad() {
        try (TpmKeys keys = new TpmKeys(LibtpmsExtension.tpm())) {
            Tss2KeyFile file = keys.create(KeyAlgorithm.EC_P256, null, OWNER);
            byte[] privkey = file.privkey();
            privkey[privkey.length - 1] ^= 1;
            Tss2KeyFile altered = Tss2KeyFile.loadable(OWNER, file.pubkey(), privkey, true);
            assertDoesNotBelong(assertThrows(TpmException.class, () -> keys.load(altered, null)));
        }
    }

    @Test
    void sealedOrImportableKeyFileIsNotLoadedAsASigningKey() {
        try (TpmKeys keys = new TpmKeys(LibtpmsExtension.tpm())) {
            Tss2KeyFile file = keys.create(KeyAlgorithm.EC_P256, null, OWNER);
            Tss2KeyFile sealed = new Tss2KeyFile(Tss2KeyFile.KeyType.SEALED, file.emptyAuth(), OWNER, file.pubkey(),
                    file.privkey(), Optional.empty());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> keys.load(sealed, null));
            assertEquals("the key file holds sealed data for TPM2_Unseal (2.23.133.10.1.5), which cannot be loaded"
                    + " as a signing key", e.getMessage());
        }
    }

    private static void assertDoesNotBelong(TpmException e) {
        assertTrue(e.getMessage().startsWith("the key file does not belong to this TPM or this parent key"
                + " (TPM2_Load: TPM_RC_"), e.getMessage());
        assertInstanceOf(TpmResponseException.class, e.getCause());
    }

    // ---- key files that are not key files

    static Stream<Arguments> brokenKeyFiles() {
        String pem;
        try (TpmKeys keys = new TpmKeys(LibtpmsExtension.tpm())) {
            pem = keys.create(KeyAlgorithm.EC_P256, null, OWNER).toPem();
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z0-9 ]+-----", ""));
        byte[] garbage = new byte[300];
        new Random(42).nextBytes(garbage);
        garbage[0] = 0x42;
        byte[] derGarbage = garbage.clone();
        derGarbage[0] = 0x30;
        String lines = pem.substring(0, pem.indexOf("-----END"));
        return Stream.of(
                Arguments.of("empty", new byte[0], "empty input; not a key file"),
                Arguments.of("PEM cut in half", ascii(pem.substring(0, pem.length() / 2)), "malformed PEM"),
                Arguments.of("PEM without END line", ascii(lines), "malformed PEM"),
                Arguments.of("DER cut in half", Arrays.copyOf(der, der.length / 2), "malformed ASN.1"),
                Arguments.of("DER missing its last byte", Arrays.copyOf(der, der.length - 1), "malformed ASN.1"),
                Arguments.of("random bytes", garbage, "neither PEM"),
                Arguments.of("random bytes after a SEQUENCE tag", derGarbage, "malformed ASN.1"),
                Arguments.of("a public key PEM", ascii(PublicKeys.toPem(keyFilePublicKey(der))),
                        "the PEM block is labelled 'PUBLIC KEY', not 'TSS2 PRIVATE KEY'"),
                Arguments.of("base64 of random bytes", ascii("-----BEGIN TSS2 PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder().encodeToString(garbage) + "\n-----END TSS2 PRIVATE KEY-----\n"),
                        "malformed ASN.1"));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static PublicKey keyFilePublicKey(byte[] der) {
        try {
            return TpmtPublic.readSized(new TpmReader(Tss2KeyFile.fromDer(der).pubkey())).toPublicKey();
        } catch (KeyFileFormatException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenKeyFiles")
    void brokenKeyFileIsAClearFormatError(String what, byte[] content, String expected, @TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("key.pem");
        Files.write(file, content);
        KeyFileFormatException e = assertThrows(KeyFileFormatException.class, () -> Tss2KeyFile.read(file));
        assertTrue(e.getMessage().contains(expected), what + ": " + e.getMessage());
        assertNotEquals("", e.getMessage().trim());
        assertFalse(e.getMessage().contains("Exception"), what + ": the message should be for people: "
                + e.getMessage());
    }
}
