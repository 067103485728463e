package org.tpmauth.tss.keys;

import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtSigScheme;

/** How a signature is made: ECDSA for EC keys, PKCS#1 v1.5 or PSS for RSA keys. */
public enum SigningScheme {
    ECDSA("ecdsa", TpmAlg.ECDSA), PKCS1("pkcs1", TpmAlg.RSASSA), PSS("pss", TpmAlg.RSAPSS);

    private final String cliName;
    private final TpmAlg tpmScheme;

    SigningScheme(String cliName, TpmAlg tpmScheme) {
        this.cliName = cliName;
        this.tpmScheme = tpmScheme;
    }

    public String cliName() {
        return cliName;
    }

    /** TPM_ALG_ECDSA, TPM_ALG_RSASSA or TPM_ALG_RSAPSS. */
    public TpmAlg tpmScheme() {
        return tpmScheme;
    }

    /** The TPMT_SIG_SCHEME for a hash. */
    public TpmtSigScheme withHash(TpmAlg hash) {
        return TpmtSigScheme.of(tpmScheme, hash);
    }

    public boolean isRsa() {
        return this != ECDSA;
    }

    /** The scheme a key type uses when none is given: ECDSA for EC, PKCS#1 v1.5 for RSA. */
    public static SigningScheme defaultFor(TpmAlg keyType) {
        return keyType == TpmAlg.ECC ? ECDSA : PKCS1;
    }

    public static SigningScheme parse(String name) {
        for (SigningScheme s : values()) {
            if (s.cliName.equalsIgnoreCase(name.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown signature scheme '" + name + "'; use ecdsa, pkcs1 or pss");
    }

    @Override
    public String toString() {
        return cliName;
    }
}
