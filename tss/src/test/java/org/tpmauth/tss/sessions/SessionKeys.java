package org.tpmauth.tss.sessions;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Signature;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.Create;
import org.tpmauth.tss.commands.CreatePrimary;
import org.tpmauth.tss.commands.Load;
import org.tpmauth.tss.commands.Sign;
import org.tpmauth.tss.keys.KeyTemplates;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmEccCurve;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmaObject;
import org.tpmauth.tss.types.TpmsSensitiveCreate;
import org.tpmauth.tss.types.TpmtAsymScheme;
import org.tpmauth.tss.types.TpmtKeyedHashScheme;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmtSigScheme;
import org.tpmauth.tss.types.TpmtSignature;
import org.tpmauth.tss.types.TpmuPublicParms;

/** Keys the session tests create, and a signature check with the JCA. */
final class SessionKeys {
    private static final int USER = TpmaObject.FIXED_TPM | TpmaObject.FIXED_PARENT | TpmaObject.USER_WITH_AUTH
            | TpmaObject.NO_DA;
    /** An ECDSA P-256 signing key, noDA so that wrong-password tests never lock the TPM out. */
    static final TpmtPublic ECC_SIGNER = new TpmtPublic(TpmAlg.SHA256,
            USER | TpmaObject.SENSITIVE_DATA_ORIGIN | TpmaObject.SIGN_ENCRYPT,
            new TpmuPublicParms.Ecc(TpmtAsymScheme.ecdsa(TpmAlg.SHA256), TpmEccCurve.NIST_P256));
    /** A sealed data object: its sensitive data is given at creation. */
    static final TpmtPublic SEALED = new TpmtPublic(TpmAlg.SHA256, USER,
            new TpmuPublicParms.KeyedHash(TpmtKeyedHashScheme.NULL));

    private SessionKeys() {
    }

    static int eccPrimary(Tpm tpm) {
        return tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryEcc())).objectHandle();
    }

    static int rsaPrimary(Tpm tpm) {
        return tpm.execute(new CreatePrimary(TpmHandles.RH_OWNER, KeyTemplates.storagePrimaryRsa())).objectHandle();
    }

    /** A created and loaded key. */
    record Key(int handle, Create.Response created) {
    }

    static Key signer(Tpm tpm, int parent, byte[] password, Session... parentAuth) {
        Create.Response created = tpm.execute(new Create(parent, TpmsSensitiveCreate.withAuth(password), ECC_SIGNER),
                parentAuth);
        return new Key(tpm.execute(new Load(parent, created.outPrivate(), created.outPublic()), parentAuth)
                .objectHandle(), created);
    }

    /** Signs a message digest with the key and checks the signature with the JCA. */
    static void assertSigns(Tpm tpm, Key key, Session auth) throws Exception {
        byte[] message = ("message " + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(message);
        TpmtSignature.Ecc sig = (TpmtSignature.Ecc) tpm.execute(new Sign(key.handle(), digest,
                TpmtSigScheme.ecdsa(TpmAlg.SHA256)), auth).signature();
        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(key.created().outPublic().toPublicKey());
        verifier.update(message);
        assertTrue(verifier.verify(SessionCrypto.concat(fixed(sig.r()), fixed(sig.s()))), "signature verifies");
    }

    private static byte[] fixed(byte[] unsigned) {
        byte[] b = new BigInteger(1, unsigned).toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(32, b.length);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return out;
    }

    /** Whether {@code needle} occurs in {@code haystack}. */
    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
