package org.tpmauth.tss.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.EvictControl;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.PcrExtend;
import org.tpmauth.tss.policy.PcrPolicy;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsEccPoint;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtHa;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicId;
import org.tpmauth.tss.wire.TpmReader;

/** Sealing and unsealing on swtpm: password, PCR policy, both; wrong password; PCR changed. */
class SealingTest {
    private static final byte[] SECRET = "the sealed secret \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] PASSWORD = "seal-pw".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONE = new byte[0];

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private final Tpm tpm = SWTPM.tpm();
    private final TpmKeys keys = new TpmKeys(tpm);
    private final Sealing sealing = new Sealing(keys);

    @AfterEach
    void flushThePrimary() {
        keys.close();
    }

    private static TpmtPublic publicArea(Tss2KeyFile sealed) {
        return TpmtPublic.readSized(new TpmReader(sealed.pubkey()));
    }

    @Test
    void passwordRoundTripAndWrongPasswordRefused() {
        Tss2KeyFile sealed = sealing.seal(SECRET, PASSWORD, List.of());
        assertEquals(List.of(), sealed.policy());
        assertEquals(Tss2KeyFile.KeyType.SEALED, sealed.type());
        assertEquals(Optional.of(false), sealed.emptyAuth());
        TpmtPublic p = publicArea(sealed);
        assertEquals(TpmAlg.KEYEDHASH, p.type());
        assertEquals(0, p.authPolicy().length);
        assertEquals(TpmaObject.USER_WITH_AUTH, p.objectAttributes() & TpmaObject.USER_WITH_AUTH);
        assertEquals(0, p.objectAttributes() & TpmaObject.NO_DA, "a password keeps dictionary-attack protection");
        assertArrayEquals(SECRET, sealing.unseal(sealed, PASSWORD));

        TpmResponseException e = assertThrows(TpmResponseException.class,
                () -> sealing.unseal(sealed, "wrong".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(TpmRc.AUTH_FAIL, e.baseCode(), e.getMessage());
        assertFalse(sealed.toString().contains(new String(SECRET, StandardCharsets.ISO_8859_1)));
    }

    @Test
    void pcrPolicyRoundTripThenRefusedAfterAnExtendNamingThePolicy() throws Exception {
        List<TpmsPcrSelection> pcrs = List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 7));
        Tss2KeyFile sealed = sealing.seal(SECRET, NONE, pcrs);
        assertEquals(List.of(TpmPolicy.pcr(pcrs, PcrPolicy.currentValuesDigest(tpm, TpmAlg.SHA256, pcrs))),
                sealed.policy());
        Tss2KeyFile reread = Tss2KeyFile.fromPem(sealed.toPem());
        assertEquals(sealed, reread);
        TpmtPublic p = publicArea(sealed);
        assertEquals(0, p.objectAttributes() & TpmaObject.USER_WITH_AUTH, "only the policy may unseal");
        assertEquals(TpmaObject.NO_DA, p.objectAttributes() & TpmaObject.NO_DA);
        assertEquals(32, p.authPolicy().length);
        assertArrayEquals(SECRET, sealing.unseal(reread, NONE));

        tpm.execute(new PcrExtend(7, List.of(new TpmtHa(TpmAlg.SHA256, new byte[32]))));
        TpmResponseException e = assertThrows(TpmResponseException.class, () -> sealing.unseal(sealed, NONE));
        // the stored pcrDigest goes to PolicyPCR, so the TPM's own check refuses the changed PCR
        assertEquals(TpmRc.VALUE, e.baseCode(), e.getMessage());
        assertTrue(e.getMessage().contains("PolicyPCR(sha256:[0, 7]) failed: the PCRs no longer hold the values"),
                e.getMessage());
    }

    @Test
    void pcrPolicyWithPasswordNeedsBoth() {
        List<TpmsPcrSelection> pcrs = List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 1, 2));
        Tss2KeyFile sealed = sealing.seal(SECRET, PASSWORD, pcrs);
        byte[] pcrDigest = PcrPolicy.currentValuesDigest(tpm, TpmAlg.SHA256, pcrs);
        assertEquals(List.of(TpmPolicy.pcr(pcrs, pcrDigest), TpmPolicy.authValue()), sealed.policy());
        assertArrayEquals(new PolicyDigest(TpmAlg.SHA256).pcr(pcrs, pcrDigest).authValue().value(),
                publicArea(sealed).authPolicy());
        assertArrayEquals(SECRET, sealing.unseal(sealed, PASSWORD));
        TpmResponseException e = assertThrows(TpmResponseException.class,
                () -> sealing.unseal(sealed, "wrong".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(e.baseCode() == TpmRc.AUTH_FAIL || e.baseCode() == TpmRc.BAD_AUTH, e.getMessage());
    }

    @Test
    void onlySealedKeyFilesAreUnsealed() {
        Tss2KeyFile sealed = sealing.seal(SECRET, NONE, List.of());
        Tss2KeyFile loadable = Tss2KeyFile.loadable(sealed.parent(), sealed.pubkey(), sealed.privkey(), true);
        assertThrows(IllegalArgumentException.class, () -> sealing.unseal(loadable, NONE));
        assertArrayEquals(SECRET, sealing.unseal(sealed, null));
    }

    /**
     * The storage primary is TpmKeys' own: created once for any number of unseals (as `wireguard up` runs
     * them: a PCR-sealed object, a fresh Tpm), shared with the keys, and created again once after a power
     * cycle.
     */
    @Test
    void unsealsShareOnePrimaryWithTheKeysAndMakeItAgainAfterAPowerCycle() {
        Tss2KeyFile sealed = sealing.seal(SECRET, NONE, List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0)));
        Tss2KeyFile keyFile = keys.create(KeyAlgorithm.EC_P256, NONE, TpmHandles.RH_OWNER);
        keys.close();
        CountingTcti counting = new CountingTcti(SWTPM.openTpm().tcti());
        try (Tpm managed = new Tpm(counting, true); TpmKeys shared = new TpmKeys(managed)) {
            Sealing sealing = new Sealing(shared);
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(SECRET, sealing.unseal(sealed, NONE));
            }
            TpmKey key = shared.load(keyFile, NONE);
            shared.sign(key, new byte[32], TpmAlg.SHA256, SigningScheme.ECDSA);
            assertEquals(1, counting.count(TpmCc.CreatePrimary), "one primary for 5 unseals and a key");
            assertEquals(5, counting.count(TpmCc.Unseal));

            SWTPM.powerCycle();
            assertArrayEquals(SECRET, sealing.unseal(sealed, NONE));
            assertArrayEquals(SECRET, sealing.unseal(sealed, NONE));
            shared.sign(key, new byte[32], TpmAlg.SHA256, SigningScheme.ECDSA);
            assertEquals(2, counting.count(TpmCc.CreatePrimary), "created again once after the power cycle");
        } finally {
            SWTPM.disconnect();
        }
    }

    /**
     * A machine that persists its SRK (0x81000001, the standard template) spares each fresh TpmKeys (`wireguard
     * up`) the CreatePrimary: the unseal's Load and salted session use the persistent key. A key there with the
     * same template but another unique value is another key: its Load fails once, then the primary is created
     * and used for the rest of that TpmKeys. A signing key there is not tried at all. Nothing is persisted by
     * the unseal.
     */
    @Test
    void unsealUsesAPersistedSrkAndCreatesThePrimaryWhenTheKeyThereIsAnother() {
        Tss2KeyFile sealed = sealing.seal(SECRET, NONE, List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 16)));
        TpmtPublic srk = KeyTemplates.storagePrimaryEcc();
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 1);
        TpmtPublic otherUnique = new TpmtPublic(srk.nameAlg(), srk.objectAttributes(), srk.authPolicy(),
                srk.parameters(), new TpmuPublicId.Ecc(new TpmsEccPoint(ones, ones)));
        keys.close();
        try {
            persistAtSrkHandle(srk);
            assertEquals(Map.of(TpmCc.CreatePrimary, 0, TpmCc.Load, 2), primariesAndLoadsForTwoUnseals(sealed));
            evictSrkHandle();
            persistAtSrkHandle(otherUnique);
            assertTrue(TpmKeys.isStoragePrimaryTemplate(tpm.publicOf(TpmKeys.PERSISTENT_SRK)));
            assertEquals(Map.of(TpmCc.CreatePrimary, 1, TpmCc.Load, 3), primariesAndLoadsForTwoUnseals(sealed));
            evictSrkHandle();
            persistAtSrkHandle(KeyTemplates.signingKey(KeyAlgorithm.EC_P256, false));
            assertEquals(Map.of(TpmCc.CreatePrimary, 1, TpmCc.Load, 2), primariesAndLoadsForTwoUnseals(sealed));
        } finally {
            evictSrkHandle();
        }
    }

    private void persistAtSrkHandle(TpmtPublic template) {
        int key = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, template)).objectHandle();
        try {
            tpm.execute(new EvictControl(TpmHandles.RH_OWNER, key, TpmKeys.PERSISTENT_SRK));
        } finally {
            tpm.execute(new FlushContext(key));
        }
    }

    private void evictSrkHandle() {
        try {
            tpm.execute(EvictControl.evict(TpmHandles.RH_OWNER, TpmKeys.PERSISTENT_SRK));
        } catch (TpmResponseException nothingThere) {
            // already evicted
        }
    }

    private static Map<Integer, Integer> primariesAndLoadsForTwoUnseals(Tss2KeyFile sealed) {
        CountingTcti counting = new CountingTcti(SWTPM.openTpm().tcti());
        try (Tpm managed = new Tpm(counting, true); TpmKeys fresh = new TpmKeys(managed)) {
            Sealing sealing = new Sealing(fresh);
            assertArrayEquals(SECRET, sealing.unseal(sealed, NONE));
            assertArrayEquals(SECRET, sealing.unseal(sealed, NONE));
            return Map.of(TpmCc.CreatePrimary, counting.count(TpmCc.CreatePrimary), TpmCc.Load,
                    counting.count(TpmCc.Load));
        } finally {
            SWTPM.disconnect();
        }
    }
}
