package org.tpmauth.tss.policy;

import java.util.List;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.Sign;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtTicket;

/** Test keys that only a policy session may use. */
public final class PolicyKeys {
    private PolicyKeys() {
    }

    /**
     * A P-256 signing primary (noDA) with auth value {@code password} whose authPolicy is
     * {@code policy}, userWithAuth cleared: only a policy session satisfying it may sign.
     */
    public static int signingKey(Tpm tpm, PolicyDigest policy, byte[] password) {
        TpmtPublic t = KeyTemplates.signingKey(KeyAlgorithm.EC_P256, false);
        TpmtPublic template = new TpmtPublic(t.nameAlg(), t.objectAttributes() & ~TpmaObject.USER_WITH_AUTH,
                policy.value(), t.parameters(), t.unique());
        return tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, TpmsSensitiveCreate.withAuth(password), template,
                new byte[0], List.of())).objectHandle();
    }

    /** TPM2_Sign of a zero SHA-256 digest with ECDSA. */
    public static Sign sign(int key) {
        return new Sign(key, new byte[32], TpmtSigScheme.ecdsa(TpmAlg.SHA256), TpmtTicket.nullHashcheck());
    }
}
