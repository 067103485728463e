package org.tpmauth.tss.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.PcrExtend;
import org.tpmauth.tss.policy.PcrPolicy;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtHa;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.wire.TpmReader;

/**
 * Keys and sealed objects under a signed (authorized) PCR policy on swtpm: usable while a signed policy
 * holds, refused after a PCR changes with the policy named, usable again (the same key file) once the
 * owner signs a policy for the new values; PCR-bound signing keys; signers in software and in the TPM.
 */
class AuthorizedPolicyTest {
    private static final byte[] SECRET = "authorized secret".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PASSWORD = "auth-pw".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONE = new byte[0];
    private static final int OWNER = TpmHandles.RH_OWNER;
    private static final List<TpmsPcrSelection> PCRS = List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 7));
    private static final byte[] MESSAGE_DIGEST = Signatures.digest(TpmAlg.SHA256, SECRET);

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static KeyPair owner;
    /** Resource-managed, as Tpm.open gives it: keys, storage primaries and signers exceed swtpm's 3 slots. */
    private static Tpm tpm;
    /** The storage primary sealing runs under. */
    private static TpmKeys sealingKeys;

    @BeforeAll
    static void ownerKeyAndTpm() throws Exception {
        tpm = Tpm.open(SWTPM.tcti());
        sealingKeys = new TpmKeys(tpm);
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        owner = g.generateKeyPair();
    }

    @AfterAll
    static void closeTpm() {
        sealingKeys.close();
        tpm.close();
    }

    private static PolicySigner ownerSigner() {
        return PolicySigner.software(owner.getPrivate(), owner.getPublic());
    }

    /** The owner signs PolicyPCR on the PCRs' current values. */
    private static TpmAuthPolicy signCurrent(PolicySigner signer, String name) {
        return signer.sign(List.of(TpmPolicy.pcr(PCRS, PcrPolicy.currentValuesDigest(tpm, TpmAlg.SHA256, PCRS))), name);
    }

    private static void extendPcr7() {
        tpm.execute(new PcrExtend(7, List.of(new TpmtHa(TpmAlg.SHA256, new byte[32]))));
    }

    private static byte[] sign(TpmKeys keys, Tss2KeyFile file, byte[] password) {
        TpmKey key = keys.load(file, password);
        try {
            byte[] signature = keys.sign(key, MESSAGE_DIGEST, TpmAlg.SHA256, SigningScheme.ECDSA);
            assertTrue(Signatures.verify(key.publicKey(), SECRET, signature, TpmAlg.SHA256, SigningScheme.ECDSA));
            return signature;
        } finally {
            keys.unload(key);
        }
    }

    @Test
    void afterAPcrChangeANewlySignedPolicyMakesTheSameKeyAndSealedObjectUsableAgain() throws Exception {
        Sealing sealing = new Sealing(sealingKeys);
        try (TpmKeys keys = new TpmKeys(tpm)) {
            Tss2KeyFile key = keys.create(KeyAlgorithm.EC_P256, NONE, OWNER, List.of(), owner.getPublic());
            Tss2KeyFile sealed = sealing.seal(SECRET, NONE, List.of(), owner.getPublic());
            TpmtPublic signer = PolicySigner.signerArea(owner.getPublic());
            byte[] expected = new PolicyDigest(TpmAlg.SHA256).authorize(signer.name(), NONE).value();
            assertArrayEquals(expected, publicArea(key).authPolicy());
            assertArrayEquals(expected, publicArea(sealed).authPolicy());
            assertEquals(0, publicArea(key).objectAttributes() & TpmaObject.USER_WITH_AUTH);

            TpmAuthPolicy before = signCurrent(ownerSigner(), "boot 1");
            Tss2KeyFile keyBefore = Tss2KeyFile.fromPem(key.withSignedPolicy(before).toPem());
            Tss2KeyFile sealedBefore = sealed.withSignedPolicy(TpmAuthPolicy.fromPem(before.toPem()));
            sign(keys, keyBefore, NONE);
            assertArrayEquals(SECRET, sealing.unseal(sealedBefore, NONE));

            extendPcr7();
            TpmException refused = assertThrows(TpmException.class, () -> sign(keys, keyBefore, NONE));
            assertTrue(refused.getMessage().contains("no signed policy holds"), refused.getMessage());
            assertTrue(refused.getMessage().contains("'boot 1'"), refused.getMessage());
            assertTrue(refused.getMessage().contains("PolicyPCR(sha256:[0, 7]) failed"), refused.getMessage());
            TpmException notUnsealed = assertThrows(TpmException.class, () -> sealing.unseal(sealedBefore, NONE));
            assertTrue(notUnsealed.getMessage().contains("PolicyPCR(sha256:[0, 7]) failed"), notUnsealed.getMessage());

            // the owner signs the new values: the old signed policy stays in the file and is skipped
            TpmAuthPolicy after = signCurrent(ownerSigner(), "boot 2");
            Tss2KeyFile keyAfter = keyBefore.withSignedPolicy(after);
            assertEquals(List.of(after, before), keyAfter.authPolicy());
            sign(keys, keyAfter, NONE);
            sign(keys, keyBefore.withSignedPolicy(after).withSignedPolicy(before), NONE); // the failing one first
            assertArrayEquals(SECRET, sealing.unseal(sealedBefore.withSignedPolicy(after), NONE));
        }
    }

    @Test
    void withAPasswordTheKeyStillNeedsItAfterThePolicyAuthorize() {
        try (TpmKeys keys = new TpmKeys(tpm)) {
            Tss2KeyFile key = keys.create(KeyAlgorithm.EC_P256, PASSWORD, OWNER, List.of(), owner.getPublic());
            assertEquals(List.of(TpmCc.PolicyAuthorize, TpmCc.PolicyAuthValue),
                    key.policy().stream().map(TpmPolicy::commandCode).toList());
            assertEquals(0, publicArea(key).objectAttributes() & TpmaObject.NO_DA);
            sign(keys, key.withSignedPolicy(signCurrent(ownerSigner(), null)), PASSWORD);
            Sealing sealing = new Sealing(sealingKeys);
            Tss2KeyFile sealed = sealing.seal(SECRET, PASSWORD, List.of(), owner.getPublic());
            assertArrayEquals(SECRET, sealing.unseal(sealed.withSignedPolicy(signCurrent(ownerSigner(), null)),
                    PASSWORD));
        }
    }

    @Test
    void aTpmKeyCanSignPoliciesToo() {
        Sealing sealing = new Sealing(sealingKeys);
        try (TpmKeys keys = new TpmKeys(tpm)) {
            TpmKey signerKey = keys.load(keys.create(KeyAlgorithm.RSA_2048, NONE, OWNER), NONE);
            PolicySigner signer = PolicySigner.tpm(keys, signerKey);
            Tss2KeyFile sealed = sealing.seal(SECRET, NONE, List.of(), signer.publicKey());
            TpmAuthPolicy signed = signCurrent(signer, "signed in the TPM");
            assertEquals(TpmAlg.RSASSA, signed.authorization().signature().sigAlg());
            assertArrayEquals(SECRET, sealing.unseal(sealed.withSignedPolicy(signed), NONE));
        }
    }

    @Test
    void anRsaSoftwareKeySignsPoliciesWithPkcs1() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair rsa = g.generateKeyPair();
        Sealing sealing = new Sealing(sealingKeys);
        Tss2KeyFile sealed = sealing.seal(SECRET, NONE, List.of(), rsa.getPublic());
        TpmAuthPolicy signed = signCurrent(PolicySigner.software(rsa.getPrivate(), rsa.getPublic()), null);
        assertEquals(TpmAlg.RSASSA, signed.authorization().signature().sigAlg());
        assertArrayEquals(SECRET, sealing.unseal(sealed.withSignedPolicy(signed), NONE));
    }

    @Test
    void missingForeignAndTamperedSignedPoliciesAreRefusedWithTheReason() throws Exception {
        Sealing sealing = new Sealing(sealingKeys);
        Tss2KeyFile sealed = sealing.seal(SECRET, NONE, List.of(), owner.getPublic());
        TpmException none = assertThrows(TpmException.class, () -> sealing.unseal(sealed, NONE));
        assertTrue(none.getMessage().contains("no signed policy was given"), none.getMessage());

        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair stranger = g.generateKeyPair();
        TpmAuthPolicy foreign = signCurrent(PolicySigner.software(stranger.getPrivate(), stranger.getPublic()), "x");
        TpmException other = assertThrows(TpmException.class,
                () -> sealing.unseal(sealed.withSignedPolicy(foreign), NONE));
        assertTrue(other.getMessage().contains("signed by another key"), other.getMessage());

        TpmAuthPolicy good = signCurrent(ownerSigner(), "good");
        TpmPolicy auth = good.authorization();
        TpmtSignature.Ecc sig = (TpmtSignature.Ecc) auth.signature();
        byte[] r = sig.r();
        r[5] ^= 1;
        TpmAuthPolicy tampered = new TpmAuthPolicy(good.name(), List.of(good.approved().get(0), TpmPolicy.authorize(
                auth.signer(), auth.policyRef(), new TpmtSignature.Ecc(sig.sigAlg(), sig.hash(), r, sig.s()))));
        TpmException bad = assertThrows(TpmException.class,
                () -> sealing.unseal(sealed.withSignedPolicy(tampered), NONE));
        assertTrue(bad.getMessage().contains("the signature is not over the policy"), bad.getMessage());
    }

    @Test
    void pcrBoundSigningKeyWorksUntilAPcrChanges() throws Exception {
        try (TpmKeys keys = new TpmKeys(tpm)) {
            Tss2KeyFile key = keys.create(KeyAlgorithm.EC_P256, NONE, OWNER, PCRS, null);
            byte[] pcrDigest = PcrPolicy.currentValuesDigest(tpm, TpmAlg.SHA256, PCRS);
            assertEquals(List.of(TpmPolicy.pcr(PCRS, pcrDigest)), key.policy());
            assertArrayEquals(new PolicyDigest(TpmAlg.SHA256).pcr(PCRS, pcrDigest).value(),
                    publicArea(key).authPolicy());
            sign(keys, Tss2KeyFile.fromPem(key.toPem()), NONE);
            extendPcr7();
            TpmResponseException e = assertThrows(TpmResponseException.class, () -> sign(keys, key, NONE));
            assertEquals(TpmRc.VALUE, e.baseCode(), e.getMessage());
            assertTrue(e.getMessage().contains("PolicyPCR(sha256:[0, 7]) failed"), e.getMessage());
        }
    }

    @Test
    void pcrsAndASignerTogetherAreRefused() {
        try (TpmKeys keys = new TpmKeys(tpm)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> keys.create(KeyAlgorithm.EC_P256, NONE, OWNER, PCRS, owner.getPublic()));
            assertTrue(e.getMessage().contains("signed policies"), e.getMessage());
        }
    }

    private static TpmtPublic publicArea(Tss2KeyFile file) {
        return TpmtPublic.readSized(new TpmReader(file.pubkey()));
    }
}
