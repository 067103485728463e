package org.tpmauth.tss.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.NvDefineSpace;
import org.tpmauth.tss.commands.NvUndefineSpace;
import org.tpmauth.tss.commands.NvWrite;
import org.tpmauth.tss.commands.PolicyAuthValue;
import org.tpmauth.tss.commands.PolicyAuthorize;
import org.tpmauth.tss.commands.PolicyCommandCode;
import org.tpmauth.tss.commands.PolicyCounterTimer;
import org.tpmauth.tss.commands.PolicyNV;
import org.tpmauth.tss.commands.PolicyOR;
import org.tpmauth.tss.commands.PolicyPCR;
import org.tpmauth.tss.commands.PolicyPassword;
import org.tpmauth.tss.commands.PolicySecret;
import org.tpmauth.tss.commands.PolicySigned;
import org.tpmauth.tss.commands.PolicyTicketResponse;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.testing.Tools;
import org.tpmauth.tss.types.PcrSelectionSpec;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmSt;
import org.tpmauth.tss.types.TpmaNv;
import org.tpmauth.tss.types.TpmsNvPublic;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmtTicket;

/**
 * The software {@link PolicyDigest} against a TPM trial session (swtpm): after the same policy
 * commands both hold the same digest; and the PCR policy against tpm2_createpolicy.
 */
class PolicyTrialTest {
    private static final byte[] REF = "ref".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONE = new byte[0];

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private final Tpm tpm = SWTPM.tpm();

    /** Runs {@code commands} on a fresh trial session and returns its digest. */
    private byte[] trial(TpmAlg hash, Consumer<PolicySession> commands) {
        try (PolicySession s = PolicySession.trial(tpm, hash)) {
            commands.accept(s);
            return s.digest();
        }
    }

    private static List<TpmsPcrSelection> pcrs07() {
        return List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 7));
    }

    @Test
    void freshAndRestartedSessionsHoldZeros() {
        assertArrayEquals(new PolicyDigest(TpmAlg.SHA256).value(), trial(TpmAlg.SHA256, s -> { }));
        assertArrayEquals(new byte[32], trial(TpmAlg.SHA256, s -> {
            s.run(new PolicyAuthValue(s.handle()));
            s.restart();
            assertEquals(List.of(), s.commandsRun());
        }));
    }

    @Test
    void pcrAuthValueAndCommandCodeMatchTheTpm() {
        byte[] pcrDigest = PcrPolicy.currentValuesDigest(tpm, TpmAlg.SHA256, pcrs07());
        byte[] expected = new PolicyDigest(TpmAlg.SHA256).pcr(pcrs07(), pcrDigest).authValue()
                .commandCode(TpmCc.Sign).value();
        assertArrayEquals(expected, trial(TpmAlg.SHA256, s -> {
            s.run(new PolicyPCR(s.handle(), NONE, pcrs07()));
            s.run(new PolicyAuthValue(s.handle()));
            s.run(new PolicyCommandCode(s.handle(), TpmCc.Sign));
            assertEquals(List.of(TpmCc.PolicyPCR, TpmCc.PolicyAuthValue, TpmCc.PolicyCommandCode), s.commandsRun());
        }));
    }

    @Test
    void sha1PcrPolicyWithGivenDigestMatchesTheTpm() {
        List<TpmsPcrSelection> sel = List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 1, 2, 16));
        byte[] pcrDigest = new byte[20];
        assertArrayEquals(new PolicyDigest(TpmAlg.SHA1).pcr(sel, pcrDigest).value(),
                trial(TpmAlg.SHA1, s -> s.run(new PolicyPCR(s.handle(), pcrDigest, sel))));
    }

    @Test
    void passwordExtendsLikeAuthValue() {
        byte[] viaPassword = trial(TpmAlg.SHA256, s -> s.run(new PolicyPassword(s.handle())));
        assertArrayEquals(new PolicyDigest(TpmAlg.SHA256).password().value(), viaPassword);
        assertArrayEquals(new PolicyDigest(TpmAlg.SHA256).authValue().value(), viaPassword);
    }

    @Test
    void orMatchesTheTpm() {
        byte[] a = new PolicyDigest(TpmAlg.SHA256).commandCode(TpmCc.Sign).value();
        byte[] b = new PolicyDigest(TpmAlg.SHA256).authValue().value();
        byte[] expected = new PolicyDigest(TpmAlg.SHA256).authValue().or(List.of(a, b)).value();
        assertArrayEquals(expected, trial(TpmAlg.SHA256, s -> {
            s.run(new PolicyAuthValue(s.handle()));
            s.run(new PolicyOR(s.handle(), List.of(a, b)));
        }));
    }

    @Test
    void secretMatchesTheTpm() {
        byte[] ownerName = tpm.nameOf(TpmHandles.RH_OWNER);
        byte[] expected = new PolicyDigest(TpmAlg.SHA256).secret(ownerName, REF).value();
        assertArrayEquals(expected, trial(TpmAlg.SHA256, s -> {
            PolicyTicketResponse r = s.run(new PolicySecret(TpmHandles.RH_OWNER, s.handle(), NONE, NONE, REF, 0));
            assertEquals(TpmSt.AUTH_SECRET, r.policyTicket().tag());
        }));
    }

    @Test
    void signedMatchesTheTpm() {
        CreatePrimary.Response key = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER,
                KeyTemplates.signingKey(KeyAlgorithm.EC_P256, false)));
        try {
            byte[] expected = new PolicyDigest(TpmAlg.SHA256).signed(key.name(), REF).value();
            // a trial session does not check the signature
            TpmtSignature signature = new TpmtSignature.Ecc(TpmAlg.ECDSA, TpmAlg.SHA256, new byte[32], new byte[32]);
            assertArrayEquals(expected, trial(TpmAlg.SHA256, s -> s.run(new PolicySigned(key.objectHandle(),
                    s.handle(), NONE, NONE, REF, 0, signature))));
        } finally {
            tpm.execute(new FlushContext(key.objectHandle()));
        }
    }

    @Test
    void authorizeResetsThenMatchesTheTpm() {
        byte[] keyName = new byte[34];
        keyName[1] = 0x0B; // a SHA-256 Name
        keyName[5] = 0x42;
        byte[] approved = new PolicyDigest(TpmAlg.SHA256).authValue().value();
        byte[] expected = new PolicyDigest(TpmAlg.SHA256).authValue().authorize(keyName, REF).value();
        assertArrayEquals(new PolicyDigest(TpmAlg.SHA256).authorize(keyName, REF).value(), expected);
        TpmtTicket noTicket = new TpmtTicket(TpmSt.VERIFIED, TpmHandles.RH_NULL, NONE);
        assertArrayEquals(expected, trial(TpmAlg.SHA256, s -> {
            s.run(new PolicyAuthValue(s.handle()));
            s.run(new PolicyAuthorize(s.handle(), approved, REF, keyName, noTicket));
        }));
    }

    @Test
    void counterTimerMatchesTheTpm() {
        byte[] operand = {0, 0, 0, 0, 0, 0, 0, 1};
        byte[] expected = new PolicyDigest(TpmAlg.SHA256)
                .counterTimer(operand, 0, PolicyCounterTimer.EO_UNSIGNED_GE).value();
        assertArrayEquals(expected, trial(TpmAlg.SHA256, s -> s.run(new PolicyCounterTimer(s.handle(), operand, 0,
                PolicyCounterTimer.EO_UNSIGNED_GE))));
    }

    @Test
    void nvMatchesTheTpm() {
        int index = 0x01500a01;
        tpm.execute(new NvDefineSpace(TpmHandles.RH_OWNER, NONE, new TpmsNvPublic(index, TpmAlg.SHA256,
                TpmaNv.AUTHREAD | TpmaNv.AUTHWRITE | TpmaNv.NO_DA, NONE, 8)));
        try {
            byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
            tpm.execute(new NvWrite(index, index, data, 0));
            byte[] operand = {3, 4};
            byte[] expected = new PolicyDigest(TpmAlg.SHA256).nv(tpm.nameOf(index), operand, 2,
                    PolicyCounterTimer.EO_EQ).value();
            assertArrayEquals(expected, trial(TpmAlg.SHA256, s -> s.run(new PolicyNV(index, index, s.handle(),
                    operand, 2, PolicyCounterTimer.EO_EQ))));
        } finally {
            tpm.execute(new NvUndefineSpace(TpmHandles.RH_OWNER, index));
        }
    }

    @Test
    void pcrPolicyEqualsTpm2CreatepolicyOutput() throws Exception {
        for (String selection : List.of("sha256:0,7", "sha1:1,2+sha256:0,7,23")) {
            byte[] expected = PcrPolicy.current(tpm, TpmAlg.SHA256, selection).value();
            Tools.run(SWTPM, "tpm2_createpolicy", "--policy-pcr", "-l", selection, "-L", "pcr.policy");
            assertArrayEquals(expected, Files.readAllBytes(SWTPM.workDir().resolve("pcr.policy")), selection);
        }
    }

    @Test
    void pcrPolicyMatchesATrialSessionOnTwoBanks() {
        String selection = "sha1:1,2+sha256:0,7,23";
        byte[] expected = PcrPolicy.current(tpm, TpmAlg.SHA256, selection).value();
        assertArrayEquals(expected, trial(TpmAlg.SHA256, s -> s.run(new PolicyPCR(s.handle(), NONE,
                PcrSelectionSpec.parse(selection)))));
    }

    @Test
    void runRefusesACommandForAnotherSession() {
        try (PolicySession s = PolicySession.trial(tpm, TpmAlg.SHA256)) {
            assertThrows(IllegalArgumentException.class, () -> s.run(new PolicyAuthValue(s.handle() + 1)));
            assertFalse(s.commandsRun().contains(TpmCc.PolicyAuthValue));
        }
    }

    /** The well-known PolicyAuthValue digest (tpm2-tools, the TCG's examples). */
    @Test
    void authValueDigestIsTheKnownOne() {
        assertArrayEquals(HexFormat.of().parseHex("8fcd2169ab92694e0c633f1ab772842b8241bbc20288981fc7ac1eddc1fddb0e"),
                new PolicyDigest(TpmAlg.SHA256).authValue().value());
    }

    @Test
    void calculatorRefusesBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new PolicyDigest(TpmAlg.NULL));
        PolicyDigest p = new PolicyDigest(TpmAlg.SHA256);
        assertThrows(IllegalArgumentException.class, () -> p.or(List.of(new byte[32])));
        assertThrows(IllegalArgumentException.class, () -> new PolicyOR(0x03000000, List.of(new byte[32])));
    }
}
