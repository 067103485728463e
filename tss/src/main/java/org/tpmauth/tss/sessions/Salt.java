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
import org.tpmauth.tss.types.TpmEccCurve;
import org.tpmauth.tss.types.TpmsEccPoint;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicParms;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * A session salt and its TPM2B_ENCRYPTED_SECRET form for TPM2_StartAuthSession's tpmKey (Part 1,
 * "Secret sharing"): RSA-OAEP with the label "SECRET", or ECDH with a fresh ephemeral key and KDFe
 * "SECRET". The salt is as long as a digest of the key's name algorithm.
 */
record Salt(byte[] value, byte[] encrypted) {
    private static final String LABEL = "SECRET";

    static Salt forKey(TpmtPublic tpmKey) {
        TpmAlg nameAlg = tpmKey.nameAlg();
        PublicKey key = tpmKey.toPublicKey();
        try {
            if (tpmKey.parameters() instanceof TpmuPublicParms.Ecc ecc) {
                return ecdh((ECPublicKey) key, ecc.curveId(), nameAlg);
            }
            return rsaOaep(key, nameAlg);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt a session salt to the TPM key: " + e.getMessage(), e);
        }
    }

    private static Salt rsaOaep(PublicKey key, TpmAlg nameAlg) throws GeneralSecurityException {
        byte[] salt = SessionCrypto.random(nameAlg.digestSize());
        String md = nameAlg.jcaDigestName();
        byte[] label = (LABEL + "\0").getBytes(StandardCharsets.US_ASCII);
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
        oaep.init(Cipher.ENCRYPT_MODE, key, new OAEPParameterSpec(md, "MGF1", new MGF1ParameterSpec(md),
                new PSource.PSpecified(label)));
        return new Salt(salt, oaep.doFinal(salt));
    }

    private static Salt ecdh(ECPublicKey key, TpmEccCurve curve, TpmAlg nameAlg) throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(key.getParams());
        KeyPair ephemeral = gen.generateKeyPair();
        KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(ephemeral.getPrivate());
        agreement.doPhase(key, true);
        byte[] z = agreement.generateSecret();
        TpmsEccPoint ours = TpmsEccPoint.of(((ECPublicKey) ephemeral.getPublic()).getW(), curve);
        TpmsEccPoint theirs = TpmsEccPoint.of(key.getW(), curve);
        byte[] salt = Kdf.kdfe(nameAlg, z, LABEL, ours.x(), theirs.x(), nameAlg.digestSize() * 8);
        return new Salt(salt, TpmWriter.marshal(ours::marshal));
    }

    @Override
    public String toString() {
        return "Salt[hidden]";
    }
}
