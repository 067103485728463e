package org.tpmauth.tss.types;

import java.util.Objects;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPMS_SENSITIVE_CREATE: the secrets given when an object is created, its auth value (TPM2B_AUTH)
 * and, for a sealed data object or an imported symmetric key, its data (TPM2B_SENSITIVE_DATA).
 * Wrapped in a size it is TPM2B_SENSITIVE_CREATE. {@link #toString} shows neither.
 */
public record TpmsSensitiveCreate(byte[] userAuth, byte[] data) implements TpmMarshallable {
    /** No auth value, no data: what most keys are created with. */
    public static final TpmsSensitiveCreate EMPTY = new TpmsSensitiveCreate(new byte[0], new byte[0]);

    public TpmsSensitiveCreate {
        Objects.requireNonNull(userAuth, "userAuth");
        Objects.requireNonNull(data, "data");
    }

    /** A key protected by an auth value (a password), with no data. */
    public static TpmsSensitiveCreate withAuth(byte[] userAuth) {
        return new TpmsSensitiveCreate(userAuth.clone(), new byte[0]);
    }

    /** True when it holds an auth value or data, which must not cross the bus in clear. */
    public boolean hasSecrets() {
        return userAuth.length > 0 || data.length > 0;
    }

    @Override
    public void marshal(TpmWriter out) {
        out.sized(userAuth).sized(data);
    }

    /** TPM2B_SENSITIVE_CREATE. */
    public void marshalSized(TpmWriter out) {
        out.sizedStruct(this::marshal);
    }

    public static TpmsSensitiveCreate read(TpmReader in) {
        return in.struct("TPMS_SENSITIVE_CREATE", r -> new TpmsSensitiveCreate(r.sized(Tpm2bLimits.AUTH),
                r.sized(Tpm2bLimits.SENSITIVE_DATA)));
    }

    /** TPM2B_SENSITIVE_CREATE. */
    public static TpmsSensitiveCreate readSized(TpmReader in) {
        return in.sizedStruct("TPM2B_SENSITIVE_CREATE", TpmsSensitiveCreate::read);
    }

    @Override
    public String toString() {
        return "TpmsSensitiveCreate[userAuth=" + (userAuth.length == 0 ? "empty" : "set") + ", data="
                + (data.length == 0 ? "empty" : "set") + "]";
    }
}
