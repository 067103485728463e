package org.tpmauth.attest.service;

import org.tpmauth.attestation.credential.AttestationKeys;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.Create;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.FlushContext;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmWriter;

/** TPM keys the service must refuse. */
final class TestKeys {
    private TestKeys() {
    }

    /** A P-256 signing key without fixedTPM and fixedParent: it could be duplicated to another TPM. */
    static Tss2KeyFile duplicable(Tpm tpm) {
        TpmtPublic t = KeyTemplates.signingKey(KeyAlgorithm.EC_P256, false);
        return create(tpm, new TpmtPublic(t.nameAlg(), t.objectAttributes() & ~(TpmaObject.FIXED_TPM
                | TpmaObject.FIXED_PARENT), t.authPolicy(), t.parameters(), t.unique()));
    }

    /** An AK template without restricted: such a key would sign a forged quote as readily as a real one. */
    static Tss2KeyFile unrestrictedAk(Tpm tpm) {
        TpmtPublic t = AttestationKeys.template(KeyAlgorithm.EC_P256);
        return create(tpm, new TpmtPublic(t.nameAlg(), t.objectAttributes() & ~TpmaObject.RESTRICTED, t.authPolicy(),
                t.parameters(), t.unique()));
    }

    private static Tss2KeyFile create(Tpm tpm, TpmtPublic template) {
        int primary = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryEcc())).objectHandle();
        try {
            Create.Response r = tpm.execute(new Create(primary, TpmsSensitiveCreate.EMPTY, template));
            return Tss2KeyFile.loadable(TpmHandles.RH_OWNER, TpmWriter.marshal(r.outPublic()::marshalSized),
                    TpmWriter.marshal(out -> out.sized(r.outPrivate())), true);
        } finally {
            tpm.execute(new FlushContext(primary));
        }
    }
}
