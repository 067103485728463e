package org.tpmauth.tss.keys;

import java.security.PublicKey;
import java.util.List;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.Create;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.commands.Load;
import org.tpmauth.tss.commands.Unseal;
import org.tpmauth.tss.sessions.PasswordSession;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtKeyedHashScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Seals secrets (up to 128 bytes) to this TPM: a sealed data object (KEYEDHASH, scheme NULL) under the
 * owner hierarchy's ECC storage primary, unsealed with TPM2_Unseal. Its auth is a password, a
 * TPM2_PolicyPCR policy on the PCRs' values at sealing time, or an authorized policy (TPM2_PolicyAuthorize
 * by a signer, satisfied by signed PCR policies), the latter two followed by PolicyAuthValue with a password.
 * The facade's secure sessions keep the secret and the password off the wire. The storage primary is the
 * one {@link TpmKeys} holds: created once, not per seal or unseal, and created again after a TPM restart; an
 * unseal uses the machine's persistent SRK (0x81000001) instead when it has one with the standard template.
 */
public final class Sealing {
    private static final TpmAlg NAME_ALG = TpmAlg.SHA256;

    private final TpmKeys keys;
    private final Tpm tpm;

    /** Sealing with {@code keys}' TPM and storage primary (closing {@code keys} flushes the primary). */
    public Sealing(TpmKeys keys) {
        this.keys = keys;
        this.tpm = keys.tpm();
    }

    /**
     * Seals {@code secret} with {@code password} (may be empty) and, unless {@code pcrs} is empty, a
     * policy on those PCRs' current values; returns it as a TSS2 key file of type sealed
     * (2.23.133.10.1.5) whose {@code [1] policy} lists PolicyPCR (and PolicyAuthValue with a password).
     */
    public Tss2KeyFile seal(byte[] secret, byte[] password, List<TpmsPcrSelection> pcrs) {
        return seal(secret, password, pcrs, null);
    }

    /**
     * Seals {@code secret} as {@link #seal(byte[], byte[], List)}, or, with {@code authorizedBy}, under an
     * authorized policy: it unseals under any PCR policy that key signed ({@link PolicySigner}), so that
     * after a firmware update the owner signs a new policy instead of sealing again. {@code pcrs} must then
     * be empty.
     */
    public Tss2KeyFile seal(byte[] secret, byte[] password, List<TpmsPcrSelection> pcrs, PublicKey authorizedBy) {
        byte[] auth = password == null ? new byte[0] : password;
        List<TpmPolicy> policy = KeyPolicies.forNewObject(tpm, NAME_ALG, pcrs, authorizedBy, auth.length > 0);
        TpmtPublic template = template(auth.length > 0, policy.isEmpty() ? new byte[0]
                : TpmPolicy.digest(policy, NAME_ALG));
        Create.Response created = keys.underParent(TpmHandles.RH_OWNER, false, srk -> tpm.execute(
                new Create(srk.handle(), new TpmsSensitiveCreate(auth.clone(), secret.clone()), template)));
        return Tss2KeyFile.sealed(TpmHandles.RH_OWNER, TpmWriter.marshal(created.outPublic()::marshalSized),
                TpmWriter.marshal(out -> out.sized(created.outPrivate())), auth.length == 0, policy);
    }

    /**
     * The sealed data object's template: fixedTPM | fixedParent, userWithAuth only without a policy,
     * noDA only without a password (dictionary-attack protection is what stops password guessing).
     */
    static TpmtPublic template(boolean hasPassword, byte[] authPolicy) {
        int attributes = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
                | (authPolicy.length == 0 ? TpmaObject.USER_WITH_AUTH : 0)
                | (hasPassword ? 0 : TpmaObject.NO_DA);
        TpmuPublicParms parms = new TpmuPublicParms.KeyedHash(TpmtKeyedHashScheme.NULL);
        return new TpmtPublic(NAME_ALG, attributes, authPolicy, parms,
                new TpmtPublic(NAME_ALG, attributes, parms).unique());
    }

    /**
     * Loads {@code sealed} and unseals it: through a policy session when it has a policy (PolicyPCR with
     * the pcrDigest stored in the file, so the TPM itself refuses changed PCRs; PolicyAuthorize with the
     * file's signed policies; PolicyAuthValue), else with {@code password}. A failed policy names itself.
     */
    public byte[] unseal(Tss2KeyFile sealed, byte[] password) {
        if (sealed.type() != Tss2KeyFile.KeyType.SEALED) {
            throw new IllegalArgumentException("the key file holds " + sealed.type() + ", not sealed data");
        }
        if (sealed.parent() != TpmHandles.RH_OWNER) {
            throw new IllegalArgumentException("sealed data under parent " + TpmHandles.hex(sealed.parent())
                    + " is not supported yet: only the owner hierarchy's storage primary (0x40000001)");
        }
        byte[] auth = password == null ? new byte[0] : password;
        TpmtPublic publicArea = TpmKeys.whole(sealed.pubkey(), "TPM2B_PUBLIC of the sealed object", TpmtPublic::readSized);
        byte[] privateBlob = TpmKeys.whole(sealed.privkey(), "TPM2B_PRIVATE of the sealed object", TpmReader::sized);
        return keys.underParent(TpmHandles.RH_OWNER, true, srk -> {
            int item = tpm.execute(new Load(srk.handle(), privateBlob, publicArea)).objectHandle();
            try {
                if (sealed.policy().isEmpty()) {
                    return tpm.execute(new Unseal(item), PasswordSession.of(auth)).outData();
                }
                // one salted session both satisfies the policy and encrypts the unsealed secret; the TPM ends
                // it with the Unseal
                try (PolicySession s = KeyPolicies.startEncryptingSession(tpm, publicArea.nameAlg(), srk)) {
                    KeyPolicies.satisfy(tpm, s, sealed.policy(), sealed.authPolicy());
                    return s.executeLast(new Unseal(item), auth).outData();
                }
            } finally {
                tpm.execute(new FlushContext(item));
            }
        });
    }
}
