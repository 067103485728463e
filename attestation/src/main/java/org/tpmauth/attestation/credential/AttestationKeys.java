package org.tpmauth.attestation.credential;

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
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * Attestation keys (AKs): restricted signing keys, which sign only structures the TPM made itself
 * (quotes, certifications), never outside data that starts with TPM_GENERATED_VALUE. An AK is created
 * under the owner hierarchy's standard storage primary, so it is kept as a TSS2 key file that
 * {@link org.tpmauth.tss.keys.TpmKeys#load} loads (or persisted at a handle with
 * {@link org.tpmauth.tss.keys.TpmKeys#persist}).
 */
public final class AttestationKeys {
    /** fixedTPM | fixedParent | sensitiveDataOrigin | restricted | sign: what makes a key an AK. */
    public static final int REQUIRED_ATTRIBUTES = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT
            | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.RESTRICTED | TpmaObject.SIGN_ENCRYPT;

    private AttestationKeys() {
    }

    /**
     * The AK template as tpm2_createak makes it (attributes 0x00050072): ECDSA for EC keys, RSASSA for
     * RSA keys, with the key type's hash.
     */
    public static TpmtPublic template(KeyAlgorithm algorithm) {
        int attributes = REQUIRED_ATTRIBUTES | TpmaObject.USER_WITH_AUTH;
        TpmuPublicParms parms = algorithm.isEcc()
                ? new TpmuPublicParms.Ecc(TpmtAsymScheme.ecdsa(algorithm.defaultHash()), algorithm.curve())
                : new TpmuPublicParms.Rsa(TpmtAsymScheme.rsassa(algorithm.defaultHash()), algorithm.rsaBits());
        return new TpmtPublic(algorithm.defaultHash(), attributes, parms);
    }

    /** Creates an AK without a password under the owner's storage primary, as a TSS2 key file. */
    public static Tss2KeyFile create(Tpm tpm, KeyAlgorithm algorithm) {
        int primary = tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryEcc()))
                .objectHandle();
        try {
            Create.Response created = tpm.execute(new Create(primary, TpmsSensitiveCreate.EMPTY, template(algorithm)));
            return Tss2KeyFile.loadable(TpmHandles.RH_OWNER,
                    TpmWriter.marshal(created.outPublic()::marshalSized),
                    TpmWriter.marshal(out -> out.sized(created.outPrivate())), true)
                    .withDescription("tpmauth attestation key");
        } finally {
            tpm.execute(new FlushContext(primary));
        }
    }

    /**
     * Checks that a public area is an AK: restricted, signing, fixedTPM, fixedParent,
     * sensitiveDataOrigin, not a decryption key.
     *
     * @throws IllegalArgumentException naming what is missing
     */
    public static void requireAttestationKey(TpmtPublic publicArea) {
        int a = publicArea.objectAttributes();
        if ((a & REQUIRED_ATTRIBUTES) != REQUIRED_ATTRIBUTES || (a & TpmaObject.DECRYPT) != 0) {
            throw new IllegalArgumentException(String.format("the key is not an attestation key: its attributes "
                    + "0x%08x need fixedTPM, fixedParent, sensitiveDataOrigin, restricted and sign, and not decrypt",
                    a));
        }
    }
}
