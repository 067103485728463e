package org.tpmauth.tss.keys;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.LoadExternal;
import org.tpmauth.tss.commands.PolicyAuthValue;
import org.tpmauth.tss.commands.PolicyAuthorize;
import org.tpmauth.tss.commands.PolicyPCR;
import org.tpmauth.tss.commands.VerifySignature;
import org.tpmauth.tss.policy.PcrPolicy;
import org.tpmauth.tss.policy.PolicyDigest;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.sessions.SessionOptions;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmCc;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.types.TpmtTicket;

/**
 * The key-file policies tpmauth gives new objects, and how a policy session satisfies a key file's
 * {@code [1] policy} (trying its {@code [3]} signed policies when it starts with TPM2_PolicyAuthorize),
 * the way openssl_tpm2_engine runs them.
 */
final class KeyPolicies {
    private KeyPolicies() {
    }

    /**
     * The {@code [1] policy} of a new object: PolicyPCR on the current values of {@code pcrs}, or
     * PolicyAuthorize by {@code authorizedBy} (then the signer approves the PCR values), followed by
     * PolicyAuthValue when the object has a password, so that the password stays required whatever the
     * signer approves. Empty (password authorization) with neither.
     */
    static List<TpmPolicy> forNewObject(Tpm tpm, TpmAlg nameAlg, List<TpmsPcrSelection> pcrs, PublicKey authorizedBy,
            boolean password) {
        List<TpmPolicy> policy = new ArrayList<>();
        if (authorizedBy != null) {
            if (!pcrs.isEmpty()) {
                throw new IllegalArgumentException("an object under an authorized policy takes its PCRs from the "
                        + "signed policies (tpmauth policy sign --pcrs ...), not from its own policy; give one of the two");
            }
            policy.add(TpmPolicy.authorize(PolicySigner.signerArea(authorizedBy), new byte[0], new TpmtSignature.Null()));
        } else if (!pcrs.isEmpty()) {
            policy.add(TpmPolicy.pcr(pcrs, PcrPolicy.currentValuesDigest(tpm, nameAlg, pcrs)));
        }
        if (password && !policy.isEmpty()) {
            policy.add(TpmPolicy.authValue());
        }
        return policy;
    }

    /**
     * Runs {@code policy} on {@code session}. A leading TPM2_PolicyAuthorize is satisfied by the first of
     * {@code signed} that holds now; when none does, the error names each one and why it failed.
     */
    static void satisfy(Tpm tpm, PolicySession session, List<TpmPolicy> policy, List<TpmAuthPolicy> signed) {
        List<TpmPolicy> rest = policy;
        if (!policy.isEmpty() && policy.get(0).commandCode() == TpmCc.PolicyAuthorize) {
            authorizeBySignedPolicy(tpm, session, policy.get(0), signed);
            rest = policy.subList(1, policy.size());
        }
        for (TpmPolicy p : rest) {
            run(session, p);
        }
    }

    private static void authorizeBySignedPolicy(Tpm tpm, PolicySession session, TpmPolicy keyAuthorize,
            List<TpmAuthPolicy> signed) {
        String signer = HexFormat.of().formatHex(keyAuthorize.signer().name());
        if (signed.isEmpty()) {
            throw new TpmException("the object is under an authorized policy (signer " + signer + ") and no signed "
                    + "policy was given: have the owner sign one (tpmauth policy sign --signer KEY --pcrs ...) and give "
                    + "it with --policy-signature, or add it to the key file");
        }
        List<String> failures = new ArrayList<>();
        for (TpmAuthPolicy candidate : signed) {
            TpmPolicy authorization = candidate.authorization();
            if (!Arrays.equals(authorization.signer().name(), keyAuthorize.signer().name())
                    || !Arrays.equals(authorization.policyRef(), keyAuthorize.policyRef())) {
                failures.add(candidate + ": signed by another key than the object's signer " + signer);
                continue;
            }
            if (!session.commandsRun().isEmpty()) {
                session.restart();
            }
            try {
                for (TpmPolicy p : candidate.approved()) {
                    run(session, p);
                }
                authorize(tpm, session, authorization);
                return;
            } catch (TpmResponseException e) {
                failures.add(candidate + " failed: " + e.getMessage());
            }
        }
        throw new TpmException("no signed policy holds for this object (" + String.join("; ", failures)
                + "); have the owner sign a policy for the current PCR values");
    }

    /** TPM2_PolicyAuthorize with a TPM2_VerifySignature ticket for the session's current digest. */
    private static void authorize(Tpm tpm, PolicySession session, TpmPolicy authorization) {
        TpmtPublic signer = authorization.signer();
        byte[] approved = session.digest();
        byte[] aHash = PolicyDigest.hash(signer.nameAlg(), approved, authorization.policyRef());
        int key = tpm.execute(new LoadExternal(signer, TpmHandles.RH_OWNER)).objectHandle();
        TpmtTicket ticket;
        try {
            ticket = tpm.execute(new VerifySignature(key, aHash, authorization.signature())).validation();
        } catch (TpmResponseException e) {
            if (e.is(TpmRc.SIGNATURE)) {
                throw new TpmResponseException(e, "the signature is not over the policy the session ran "
                        + "(approved digest " + HexFormat.of().formatHex(approved) + ")");
            }
            throw e;
        } finally {
            tpm.execute(new FlushContext(key));
        }
        session.run(new PolicyAuthorize(session.handle(), approved, authorization.policyRef(), signer.name(), ticket));
    }

    private static void run(PolicySession session, TpmPolicy p) {
        switch (p.commandCode()) {
            case TpmCc.PolicyPCR -> session.run(new PolicyPCR(session.handle(), p.pcrDigest(), p.pcrs()));
            case TpmCc.PolicyAuthValue -> session.run(new PolicyAuthValue(session.handle()));
            default -> throw new IllegalArgumentException(p + " may only come first in a key file's policy");
        }
    }

    /**
     * A policy session salted to {@code saltKey} (a loaded storage key), so that the HMAC a
     * PolicyAuthValue adds is no test for guessed passwords to whoever records the bus.
     */
    static PolicySession startSession(Tpm tpm, TpmAlg hash, TpmKeys.StorageKey saltKey) {
        return start(tpm, SessionOptions.unsalted().withSymmetric(TpmtSymDefObject.NULL).withAuthHash(hash), saltKey);
    }

    /**
     * A salted policy session as {@link #startSession} that also AES-CFB encrypts the first response parameter
     * of the command it authorizes (an unsealed secret): one session and one salt instead of two.
     */
    static PolicySession startEncryptingSession(Tpm tpm, TpmAlg hash, TpmKeys.StorageKey saltKey) {
        return start(tpm, SessionOptions.unsalted().withParameterEncryption(false, true).withAuthHash(hash), saltKey);
    }

    /** Salted to {@code saltKey}, with its public area when known (no ReadPublic then). */
    private static PolicySession start(Tpm tpm, SessionOptions options, TpmKeys.StorageKey saltKey) {
        SessionOptions salted = options.saltedTo(saltKey.handle());
        return saltKey.publicArea() == null ? PolicySession.start(tpm, salted)
                : PolicySession.start(tpm, salted, saltKey.publicArea());
    }
}
