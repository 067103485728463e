package org.tpmauth.attestation.credential;

import org.tpmauth.attestation.ek.EndorsementKey;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.commands.ActivateCredential;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.sessions.PolicySession;
import org.tpmauth.tss.sessions.Session;
import org.tpmauth.tss.types.TpmAlg;

/**
 * TPM2_ActivateCredential on the attesting machine: recovers the credential a verifier protected
 * with {@link CredentialMaker} (or tpm2_makecredential), proving that the AK is loaded on the TPM
 * that holds the EK.
 */
public final class CredentialActivation {
    private CredentialActivation() {
    }

    /**
     * Recovers the credential. The AK is authorized in the ADMIN role by its own session, the EK in
     * the USER role by {@link EndorsementKey#userSession()}.
     *
     * @throws TpmException saying so when the credential was made for another AK Name or another EK
     */
    public static byte[] activate(Tpm tpm, TpmKey ak, EndorsementKey ek, CredentialFile credential) {
        Session ekSession = ek.userSession();
        try {
            return tpm.execute(new ActivateCredential(ak.handle(), ek.handle(), credential.credentialBlob(),
                    credential.secret()), ak.auth(), ekSession).certInfo();
        } catch (TpmResponseException e) {
            int base = e.baseCode();
            if (base == TpmRc.INTEGRITY) {
                throw new TpmException("the credential was made for another AK Name than this AK's (or for another "
                        + "TPM's EK), or was altered (TPM_RC_INTEGRITY); ask the verifier for a credential for Name "
                        + java.util.HexFormat.of().formatHex(ak.name()), e);
            }
            // libtpms answers a failed RSA-OAEP decryption of the seed with TPM_RC_FAILURE, yet keeps working
            boolean undecryptable = base == TpmRc.FAILURE && ek.publicArea().type() == TpmAlg.RSA;
            if (undecryptable || base == TpmRc.VALUE || base == TpmRc.SIZE || base == TpmRc.ECC_POINT
                    || base == TpmRc.SCHEME) {
                throw new TpmException("the credential's secret was not made for this TPM's " + ek.template()
                        + " EK (" + TpmRc.name(e.responseCode()) + "); make it with this TPM's EK public key", e);
            }
            throw e;
        } finally {
            if (ekSession instanceof PolicySession policy) {
                policy.close(); // the session continues after the command; it is of no further use
            }
        }
    }
}
