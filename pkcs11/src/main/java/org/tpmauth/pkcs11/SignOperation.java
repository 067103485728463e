package org.tpmauth.pkcs11;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.asn1.x509.DigestInfo;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.TpmRsaPrivateKey;
import org.tpmauth.tls.TpmSigner;
import org.tpmauth.tss.TpmResponseException;
import org.tpmauth.tss.TpmRc;
import org.tpmauth.tss.keys.PasswordRequiredException;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmuPublicParms;

/**
 * One active C_SignInit .. C_Sign / C_SignFinal: collects the data (hashing it for the CKM_SHAxxx forms)
 * and signs with the shared {@link TpmSigner}. PKCS#11 keeps an operation alive after a size query
 * or a too-small buffer, so {@link #signatureLength} is known before anything is signed.
 */
final class SignOperation {
    /** Prepared input (a digest, a DigestInfo, an RSA block) is never longer than this. */
    private static final int MAX_PREPARED = 1024;

    private final SignMechanism mechanism;
    private final TpmPrivateKey key;
    private final TpmAlg pssHash;
    private final TpmAlg pssMgfHash;
    private final int pssSalt;
    private final MessageDigest digest;
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();
    final int signatureLength;

    private SignOperation(SignMechanism mechanism, TpmPrivateKey key, TpmAlg pssHash, TpmAlg pssMgfHash, int pssSalt) {
        this.mechanism = mechanism;
        this.key = key;
        this.pssHash = pssHash;
        this.pssMgfHash = pssMgfHash;
        this.pssSalt = pssSalt;
        this.digest = mechanism.hash == null ? null : messageDigest(mechanism.hash);
        this.signatureLength = signatureLength(key);
    }

    /** Checks the mechanism against the key and its parameters (C_SignInit). */
    static SignOperation start(Mechanism requested, TpmPrivateKey key) throws Pkcs11Exception {
        SignMechanism mechanism = SignMechanism.of(requested.type()).orElseThrow(() -> new Pkcs11Exception(
                Pkcs11.CKR_MECHANISM_INVALID, "mechanism 0x" + Long.toHexString(requested.type()) + " cannot sign"));
        if (mechanism.rsa != key instanceof TpmRsaPrivateKey) {
            throw new Pkcs11Exception(Pkcs11.CKR_KEY_TYPE_INCONSISTENT, mechanism + " does not fit a "
                    + key.getAlgorithm() + " key");
        }
        if (mechanism.padding != SignMechanism.Padding.PSS) {
            return new SignOperation(mechanism, key, null, null, 0);
        }
        if (!(requested.parameter() instanceof Mechanism.PssParameter p)) {
            throw new Pkcs11Exception(Pkcs11.CKR_MECHANISM_PARAM_INVALID, mechanism + " needs CK_RSA_PKCS_PSS_PARAMS");
        }
        TpmAlg hash = SignMechanism.hashOfDigestMechanism(p.hash()).orElse(null);
        TpmAlg mgfHash = SignMechanism.hashOfMgf(p.mgf()).orElse(null);
        if (hash == null || mgfHash == null || (mechanism.hash != null && mechanism.hash != hash)) {
            throw new Pkcs11Exception(Pkcs11.CKR_MECHANISM_PARAM_INVALID, mechanism + ": hash 0x"
                    + Long.toHexString(p.hash()) + " / MGF 0x" + Long.toHexString(p.mgf()) + " not supported here");
        }
        try {
            if (p.saltLength() < 0 || p.saltLength() > TpmSigner.maxPssSaltLength(key, hash)) {
                throw new Pkcs11Exception(Pkcs11.CKR_MECHANISM_PARAM_INVALID, "PSS salt length " + p.saltLength()
                        + " does not fit this key");
            }
        } catch (SignatureException e) {
            throw new Pkcs11Exception(Pkcs11.CKR_KEY_TYPE_INCONSISTENT, e.getMessage(), e);
        }
        return new SignOperation(mechanism, key, hash, mgfHash, (int) p.saltLength());
    }

    /**
     * Modulus or two coordinates' size, from the key's TPM public area: a JCA public key built per
     * C_SignInit costs a provider lookup and a key factory each time.
     */
    private static int signatureLength(TpmPrivateKey key) {
        TpmuPublicParms parameters = key.key().publicArea().parameters();
        if (parameters instanceof TpmuPublicParms.Rsa rsa) {
            return (rsa.keyBits() + 7) / 8;
        }
        return 2 * ((TpmuPublicParms.Ecc) parameters).curveId().coordinateSize();
    }

    /** C_SignUpdate, and the data of C_Sign. */
    void update(byte[] part) throws Pkcs11Exception {
        if (digest != null) {
            digest.update(part);
            return;
        }
        if (data.size() + part.length > MAX_PREPARED) {
            throw new Pkcs11Exception(Pkcs11.CKR_DATA_LEN_RANGE, mechanism + " takes prepared input of at most "
                    + MAX_PREPARED + " bytes");
        }
        data.write(part, 0, part.length);
    }

    /** Signs what was collected. */
    byte[] sign() throws Pkcs11Exception {
        byte[] input = digest != null ? digest.digest() : data.toByteArray();
        try {
            return switch (mechanism.padding) {
                case ECDSA -> {
                    if (input.length == 0) {
                        throw new Pkcs11Exception(Pkcs11.CKR_DATA_LEN_RANGE, "ECDSA over no data");
                    }
                    yield TpmSigner.ecdsaPlain(key, input);
                }
                case PKCS1 -> TpmSigner.pkcs1(key, mechanism.hash == null ? input : digestInfo(mechanism.hash, input));
                case PSS -> {
                    if (input.length != pssHash.digestSize()) {
                        throw new Pkcs11Exception(Pkcs11.CKR_DATA_LEN_RANGE, "a " + pssHash + " digest has "
                                + pssHash.digestSize() + " bytes, not " + input.length);
                    }
                    yield TpmSigner.pss(key, input, pssHash, pssMgfHash, pssSalt);
                }
                case RAW -> {
                    if (input.length > signatureLength || new BigInteger(1, input)
                            .compareTo(((RSAPublicKey) key.publicKey()).getModulus()) >= 0) {
                        throw new Pkcs11Exception(Pkcs11.CKR_DATA_LEN_RANGE, "raw RSA input must be below the modulus");
                    }
                    yield TpmSigner.rsaRaw(key, input);
                }
            };
        } catch (SignatureException e) {
            throw failure(e);
        }
    }

    /** The CK_RV of a failed signature: a missing or wrong password, a locked TPM, or bad input. */
    private static Pkcs11Exception failure(SignatureException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof PasswordRequiredException) {
                return new Pkcs11Exception(Pkcs11.CKR_USER_NOT_LOGGED_IN, "the key has a password: log in with it", e);
            }
            if (c instanceof TpmResponseException r) {
                if (r.is(TpmRc.AUTH_FAIL) || r.is(TpmRc.BAD_AUTH)) {
                    return new Pkcs11Exception(Pkcs11.CKR_PIN_INCORRECT, "the TPM refused the key's password", e);
                }
                if (r.is(TpmRc.LOCKOUT)) {
                    return new Pkcs11Exception(Pkcs11.CKR_PIN_LOCKED, "the TPM is in dictionary-attack lockout", e);
                }
            }
        }
        boolean badInput = e.getCause() == null;
        return new Pkcs11Exception(badInput ? Pkcs11.CKR_DATA_LEN_RANGE : Pkcs11.CKR_DEVICE_ERROR, e.getMessage(), e);
    }

    private static byte[] digestInfo(TpmAlg hash, byte[] digest) {
        try {
            return new DigestInfo(new DefaultDigestAlgorithmIdentifierFinder().find(hash.jcaDigestName()), digest)
                    .getEncoded("DER");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest messageDigest(TpmAlg hash) {
        try {
            return MessageDigest.getInstance(hash.jcaDigestName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
