package org.tpmauth.tss.sessions;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsEccPoint;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicId;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * A seed shared with a TPM key (TPM 2.0 Part 1, "Secret sharing"), and its TPM2B_ENCRYPTED_SECRET /
 * TPM2B_ENCRYPTED_SECRET-like form that only that key's TPM recovers: RSA-OAEP with the label, or ECDH
 * with a fresh ephemeral key and KDFe with the label. The seed is as long as a digest of the name
 * algorithm. Labels: "SECRET" for a session salt (TPM2_StartAuthSession), "IDENTITY" for
 * TPM2_MakeCredential, "DUPLICATE" for duplication.
 *
 * @param seed      the shared seed (never printed)
 * @param encrypted what goes to the TPM: the OAEP ciphertext, or the marshalled ephemeral TPMS_ECC_POINT
 */
public record SharedSeed(byte[] seed, byte[] encrypted) {
    /** A new seed for {@code key} (RSA or EC) with name algorithm {@code nameAlg}. */
    public static SharedSeed with(PublicKey key, TpmAlg nameAlg, String label) throws GeneralSecurityException {
        return key instanceof ECPublicKey ec ? ecdh(ec, nameAlg, label) : rsaOaep(key, nameAlg, label);
    }

    /** A session salt for TPM2_StartAuthSession's tpmKey. */
    static SharedSeed salt(TpmtPublic tpmKey) {
        try {
            return with(tpmKey.toPublicKey(), tpmKey.nameAlg(), "SECRET");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt a session salt to the TPM key: " + e.getMessage(), e);
        }
    }

    private static SharedSeed rsaOaep(PublicKey key, TpmAlg nameAlg, String label) throws GeneralSecurityException {
        byte[] seed = SessionCrypto.random(nameAlg.digestSize());
        String md = nameAlg.jcaDigestName();
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
        oaep.init(Cipher.ENCRYPT_MODE, key, new OAEPParameterSpec(md, "MGF1", new MGF1ParameterSpec(md),
                new PSource.PSpecified((label + "\0").getBytes(StandardCharsets.US_ASCII))));
        return new SharedSeed(seed, oaep.doFinal(seed));
    }

    private static SharedSeed ecdh(ECPublicKey key, TpmAlg nameAlg, String label) throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(key.getParams());
        KeyPair ephemeral = gen.generateKeyPair();
        KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(ephemeral.getPrivate());
        agreement.doPhase(key, true);
        byte[] z = agreement.generateSecret();
        TpmsEccPoint ours = point(ephemeral.getPublic());
        TpmsEccPoint theirs = point(key);
        byte[] seed = Kdf.kdfe(nameAlg, z, label, ours.x(), theirs.x(), nameAlg.digestSize() * 8);
        return new SharedSeed(seed, TpmWriter.marshal(ours::marshal));
    }

    /** The key's point with coordinates padded to the curve size, as the TPM marshals it. */
    private static TpmsEccPoint point(PublicKey key) {
        return ((TpmuPublicId.Ecc) TpmtPublic.ofPublicKey(key, TpmAlg.SHA256, 0).unique()).point();
    }

    @Override
    public String toString() {
        return "SharedSeed[hidden]";
    }
}
