package org.tpmauth.tss.keys;

import java.security.PublicKey;
import org.tpmauth.tss.sessions.Session;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmtPublic;

/**
 * A key loaded in the TPM (transient) or persisted there, with the authorization that uses it.
 *
 * @param handle       the TPM handle (0x80xxxxxx transient, 0x81xxxxxx persistent)
 * @param publicArea   the key's TPMT_PUBLIC
 * @param auth         the session that authorizes its use (password or empty)
 */
public record TpmKey(int handle, TpmtPublic publicArea, Session auth) {
    public PublicKey publicKey() {
        return publicArea.toPublicKey();
    }

    /** TPM_ALG_ECC or TPM_ALG_RSA. */
    public TpmAlg type() {
        return publicArea.type();
    }

    public byte[] name() {
        return publicArea.name();
    }

    public boolean isPersistent() {
        return TpmHandles.isPersistent(handle);
    }

    @Override
    public String toString() {
        return "TpmKey[" + TpmHandles.hex(handle) + ", " + publicArea.type() + "]";
    }
}
