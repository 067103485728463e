package org.tpmauth.tss.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.PcrExtend;
import org.tpmauth.tss.commands.PolicyAuthValue;
import org.tpmauth.tss.commands.PolicyCommandCode;
import org.tpmauth.tss.commands.PolicyPCR;
import org.tpmauth.tss.commands.PolicyPassword;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.sessions.SessionOptions;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtHa;
import org.tpmauth.tss.types.TpmtSymDefObject;

/**
 * Keys whose authPolicy comes from {@link PolicyDigest} (userWithAuth cleared), used through a real
 * {@link PolicySession} on swtpm: PolicyAuthValue (HMAC), PolicyPassword (clear), PolicyPCR.
 */
class PolicySessionTest {
    private static final byte[] PASSWORD = "policy-pw".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WRONG = "wrong".getBytes(StandardCharsets.US_ASCII);
    private static final List<TpmsPcrSelection> PCRS = List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 7));

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private final Tpm tpm = SWTPM.tpm();

    @Test
    void authValuePolicySignsWithTheRightPasswordOnly() {
        int key = PolicyKeys.signingKey(tpm, new PolicyDigest(TpmAlg.SHA256).authValue().commandCode(TpmCc.Sign),
                PASSWORD);
        try (PolicySession s = PolicySession.start(tpm, TpmAlg.SHA256)) {
            s.run(new PolicyAuthValue(s.handle()));
            s.run(new PolicyCommandCode(s.handle(), TpmCc.Sign));
            assertNotNull(s.execute(PolicyKeys.sign(key), PASSWORD).signature());
            assertEquals(List.of(), s.commandsRun(), "the TPM resets a policy session after it authorized");

            s.run(new PolicyAuthValue(s.handle()));
            s.run(new PolicyCommandCode(s.handle(), TpmCc.Sign));
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> s.execute(PolicyKeys.sign(key), WRONG));
            assertEquals(TpmRc.BAD_AUTH, e.baseCode(), e.getMessage()); // a noDA key
        } finally {
            tpm.execute(new FlushContext(key));
        }
    }

    @Test
    void saltedSessionSignsUnderAnAuthValuePolicy() {
        int srk = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryEcc())).objectHandle();
        int key = PolicyKeys.signingKey(tpm, new PolicyDigest(TpmAlg.SHA256).authValue(), PASSWORD);
        SessionOptions salted = SessionOptions.unsalted().withSymmetric(TpmtSymDefObject.NULL).saltedTo(srk);
        try (PolicySession s = PolicySession.start(tpm, salted)) {
            assertTrue(s.toString().contains("salted"), s.toString());
            s.run(new PolicyAuthValue(s.handle()));
            assertNotNull(s.execute(PolicyKeys.sign(key), PASSWORD).signature());
            s.run(new PolicyAuthValue(s.handle()));
            assertThrows(TpmResponseException.class, () -> s.execute(PolicyKeys.sign(key), WRONG));
        } finally {
            tpm.execute(new FlushContext(key));
            tpm.execute(new FlushContext(srk));
        }
        assertThrows(IllegalArgumentException.class, () -> PolicySession.start(tpm, SessionOptions.unsalted()));
    }

    @Test
    void passwordPolicySendsTheAuthValue() {
        int key = PolicyKeys.signingKey(tpm, new PolicyDigest(TpmAlg.SHA256).password(), PASSWORD);
        try (PolicySession s = PolicySession.start(tpm, TpmAlg.SHA256)) {
            s.run(new PolicyPassword(s.handle()));
            assertNotNull(s.execute(PolicyKeys.sign(key), PASSWORD).signature());
            s.run(new PolicyPassword(s.handle()));
            assertThrows(TpmResponseException.class, () -> s.execute(PolicyKeys.sign(key), WRONG));
        } finally {
            tpm.execute(new FlushContext(key));
        }
    }

    @Test
    void pcrPolicyKeyIsRefusedAfterAnExtendWithAMessageNamingThePolicy() {
        byte[] pcrDigest = PcrPolicy.currentValuesDigest(tpm, TpmAlg.SHA256, PCRS);
        int key = PolicyKeys.signingKey(tpm, new PolicyDigest(TpmAlg.SHA256).pcr(PCRS, pcrDigest), PASSWORD);
        try (PolicySession s = PolicySession.start(tpm, TpmAlg.SHA256)) {
            s.run(new PolicyPCR(s.handle(), new byte[0], PCRS));
            assertNotNull(s.execute(PolicyKeys.sign(key), new byte[0]).signature());

            tpm.execute(new PcrExtend(7, List.of(new TpmtHa(TpmAlg.SHA256, new byte[32]))));
            s.run(new PolicyPCR(s.handle(), new byte[0], PCRS));
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> s.execute(PolicyKeys.sign(key), new byte[0]));
            assertEquals(TpmRc.POLICY_FAIL, e.baseCode());
            assertTrue(e.getMessage().contains("PolicyPCR(sha256:[0, 7])"), e.getMessage());
        } finally {
            tpm.execute(new FlushContext(key));
        }
    }

    @Test
    void policyPcrWithAnExpectedDigestFailsOnceAPcrChanged() {
        byte[] before = PcrPolicy.currentValuesDigest(tpm, TpmAlg.SHA256, PCRS);
        try (PolicySession s = PolicySession.start(tpm, TpmAlg.SHA256)) {
            s.run(new PolicyPCR(s.handle(), before, PCRS));
            tpm.execute(new PcrExtend(0, List.of(new TpmtHa(TpmAlg.SHA256, new byte[32]))));
            TpmResponseException changed = assertThrows(TpmResponseException.class,
                    () -> s.run(new PolicyPCR(s.handle(), new byte[0], PCRS)));
            assertEquals(TpmRc.PCR_CHANGED, changed.baseCode());
            assertTrue(changed.getMessage().contains("PolicyPCR(sha256:[0, 7]) failed: a PCR changed"),
                    changed.getMessage());
            assertEquals(List.of(TpmCc.PolicyPCR), s.commandsRun(), "the failed command is not recorded");
        }
        try (PolicySession s = PolicySession.start(tpm, TpmAlg.SHA256)) {
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> s.run(new PolicyPCR(s.handle(), before, PCRS)));
            assertEquals(TpmRc.VALUE, e.baseCode());
            assertTrue(e.getMessage().contains("PolicyPCR(sha256:[0, 7]) failed: the PCRs no longer hold"),
                    e.getMessage());
        }
    }

    @Test
    void aTrialSessionAuthorizesNothing() {
        int key = PolicyKeys.signingKey(tpm, new PolicyDigest(TpmAlg.SHA256).authValue(), PASSWORD);
        try (PolicySession s = PolicySession.trial(tpm, TpmAlg.SHA256)) {
            s.run(new PolicyAuthValue(s.handle()));
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> s.execute(PolicyKeys.sign(key), PASSWORD));
            assertTrue(e.getMessage().contains("session 1"), e.getMessage());
        } finally {
            tpm.execute(new FlushContext(key));
        }
    }

    @Test
    void aKeyWithoutUserWithAuthRefusesAPolicyItDoesNotHave() {
        int key = PolicyKeys.signingKey(tpm, new PolicyDigest(TpmAlg.SHA256).commandCode(TpmCc.Sign), PASSWORD);
        try (PolicySession s = PolicySession.start(tpm, TpmAlg.SHA256)) {
            TpmResponseException e = assertThrows(TpmResponseException.class,
                    () -> s.execute(PolicyKeys.sign(key), PASSWORD));
            assertEquals(TpmRc.POLICY_FAIL, e.baseCode());
            assertTrue(e.getMessage().contains("an empty policy"), e.getMessage());
        } finally {
            tpm.execute(new FlushContext(key));
        }
    }
}
