package org.tpmauth.tss.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.PolicyAuthorize;
import org.tpmauth.tss.commands.PolicyPCR;
import org.tpmauth.tss.commands.PolicySecret;
import org.tpmauth.tss.commands.PolicySigned;
import org.tpmauth.tss.commands.Sign;
import org.tpmauth.tss.commands.VerifySignature;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.testing.SwtpmExtension;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmtTicket;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * PolicySecret, PolicySigned and PolicyAuthorize (with a TPM2_VerifySignature ticket) satisfied on a
 * real policy session (swtpm), for keys whose authPolicy {@link PolicyDigest} computed.
 */
class PolicyTicketsTest {
    private static final byte[] PASSWORD = "tickets-pw".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REF = "ref".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONE = new byte[0];
    private static final List<TpmsPcrSelection> PCRS = List.of(TpmsPcrSelection.of(TpmAlg.SHA256, 0, 7));

    @RegisterExtension
    static final SwtpmExtension SWTPM = new SwtpmExtension();
    private static Tpm tpm;
    private static CreatePrimary.Response signer;

    @BeforeAll
    static void signer() {
        tpm = SWTPM.tpm();
        signer = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.signingKey(KeyAlgorithm.EC_P256,
                false)));
    }

    @AfterAll
    static void flush() {
        tpm.execute(new FlushContext(signer.objectHandle()));
    }

    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    private static TpmtSignature signerSigns(byte[] digest) {
        return tpm.execute(new Sign(signer.objectHandle(), digest, TpmtSigScheme.ecdsa(TpmAlg.SHA256),
                TpmtTicket.nullHashcheck())).signature();
    }

    /** Signs with a key under {@code policy}, after {@code satisfy} ran on a fresh policy session. */
    private static void signUnder(PolicyDigest policy, Consumer<PolicySession> satisfy) {
        int key = PolicyKeys.signingKey(tpm, policy, PASSWORD);
        try (PolicySession s = PolicySession.start(tpm, TpmAlg.SHA256)) {
            satisfy.accept(s);
            assertNotNull(s.execute(PolicyKeys.sign(key), PASSWORD).signature());
        } finally {
            tpm.execute(new FlushContext(key));
        }
    }

    @Test
    void policySecretWithTheOwnerAuthorization() {
        signUnder(new PolicyDigest(TpmAlg.SHA256).secret(tpm.nameOf(TpmHandles.RH_OWNER), REF),
                s -> s.run(new PolicySecret(TpmHandles.RH_OWNER, s.handle(), s.nonceTpm(), NONE, REF, 0)));
    }

    @Test
    void policySignedOverTheSessionNonce() {
        signUnder(new PolicyDigest(TpmAlg.SHA256).signed(signer.name(), REF), s -> {
            try {
                byte[] nonce = s.nonceTpm();
                byte[] aHash = sha256(nonce, TpmWriter.marshal(w -> w.u32(0)), NONE, REF);
                s.run(new PolicySigned(signer.objectHandle(), s.handle(), nonce, NONE, REF, 0, signerSigns(aHash)));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void policySignedRefusesASignatureOverAnotherNonce() throws Exception {
        byte[] aHash = sha256(new byte[32], TpmWriter.marshal(w -> w.u32(0)), NONE, REF);
        TpmtSignature signature = signerSigns(aHash);
        try (PolicySession s = PolicySession.start(tpm, TpmAlg.SHA256)) {
            TpmResponseException e = assertThrows(TpmResponseException.class, () -> s.run(new PolicySigned(
                    signer.objectHandle(), s.handle(), s.nonceTpm(), NONE, REF, 0, signature)));
            assertEquals(TpmRc.SIGNATURE, e.baseCode(), e.getMessage());
        }
    }

    @Test
    void authorizedPcrPolicyWithAVerifySignatureTicket() throws Exception {
        byte[] pcrDigest = PcrPolicy.currentValuesDigest(tpm, TpmAlg.SHA256, PCRS);
        byte[] approved = new PolicyDigest(TpmAlg.SHA256).pcr(PCRS, pcrDigest).value();
        byte[] aHash = sha256(approved, REF);
        TpmtTicket ticket = tpm.execute(new VerifySignature(signer.objectHandle(), aHash, signerSigns(aHash)))
                .validation();
        signUnder(new PolicyDigest(TpmAlg.SHA256).authorize(signer.name(), REF), s -> {
            s.run(new PolicyPCR(s.handle(), NONE, PCRS));
            s.run(new PolicyAuthorize(s.handle(), approved, REF, signer.name(), ticket));
        });
    }
}
