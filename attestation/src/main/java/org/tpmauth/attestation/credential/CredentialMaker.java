package org.tpmauth.attestation.credential;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.tpmauth.attestation.ek.EkTemplate;
import org.tpmauth.tss.sessions.Kdf;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsEccPoint;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.types.TpmuPublicId;
import org.tpmauth.tss.wire.TpmWriter;

/**
 * TPM2_MakeCredential in software, for a verifier that has no TPM (TPM 2.0 Part 1, "Protected
 * storage" and "Credential protection"): a random seed is shared with the EK (RSA-OAEP with label
 * "IDENTITY", or ECDH with KDFe "IDENTITY"), KDFa "STORAGE" (keyed by the AK's Name) and
 * "INTEGRITY" derive the AES-CFB key and the HMAC key that protect the credential. Only the TPM
 * holding the EK's private key, with the AK of that exact Name loaded, recovers it.
 */
public final class CredentialMaker {
    private static final String LABEL = "IDENTITY";
    private static final SecureRandom RANDOM = new SecureRandom();

    private CredentialMaker() {
    }

    /**
     * Protects {@code credential} (at most a digest of the EK's name algorithm) for the AK named
     * {@code akName} on the TPM whose EK of profile template {@code ek} has public key {@code ekKey}.
     */
    public static CredentialFile make(PublicKey ekKey, EkTemplate ek, byte[] akName, byte[] credential) {
        TpmAlg nameAlg = ek.nameAlg();
        if (credential.length == 0 || credential.length > nameAlg.digestSize()) {
            throw new IllegalArgumentException("a credential has 1 to " + nameAlg.digestSize() + " bytes for this EK, not "
                    + credential.length);
        }
        if (!isName(akName)) {
            throw new IllegalArgumentException("an AK Name is a 2-byte hash algorithm and a digest of its size, e.g. "
                    + "000b and 32 bytes; " + akName.length + " bytes given");
        }
        try {
            byte[][] seed = ekKey instanceof ECPublicKey ec ? ecdhSeed(ec, nameAlg) : oaepSeed(ekKey, nameAlg);
            byte[] symKey = Kdf.kdfa(nameAlg, seed[0], "STORAGE", akName, new byte[0], ek.symmetricBits());
            byte[] hmacKey = Kdf.kdfa(nameAlg, seed[0], "INTEGRITY", new byte[0], new byte[0], nameAlg.digestSize() * 8);
            Cipher aes = Cipher.getInstance("AES/CFB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(symKey, "AES"), new IvParameterSpec(new byte[16]));
            byte[] encIdentity = aes.doFinal(TpmWriter.marshal(out -> out.sized(credential)));
            Mac mac = Mac.getInstance("Hmac" + nameAlg.jcaDigestName().replace("-", ""));
            mac.init(new SecretKeySpec(hmacKey, mac.getAlgorithm()));
            mac.update(encIdentity);
            byte[] outerHmac = mac.doFinal(akName);
            return new CredentialFile(TpmWriter.marshal(out -> out.sized(outerHmac).bytes(encIdentity)), seed[1]);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot protect a credential for this EK: " + e.getMessage(), e);
        }
    }

    private static boolean isName(byte[] name) {
        return name.length > 2 && TpmAlg.byId(((name[0] & 0xff) << 8) | (name[1] & 0xff))
                .filter(TpmAlg::isHash).filter(h -> h.digestSize() == name.length - 2).isPresent();
    }

    /** {seed, encrypted seed} by RSA-OAEP, hash and MGF1 = the name algorithm, label "IDENTITY\0". */
    private static byte[][] oaepSeed(PublicKey ekKey, TpmAlg nameAlg) throws GeneralSecurityException {
        byte[] seed = new byte[nameAlg.digestSize()];
        RANDOM.nextBytes(seed);
        String md = nameAlg.jcaDigestName();
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
        oaep.init(Cipher.ENCRYPT_MODE, ekKey, new OAEPParameterSpec(md, "MGF1", new MGF1ParameterSpec(md),
                new PSource.PSpecified((LABEL + "\0").getBytes(StandardCharsets.US_ASCII))));
        return new byte[][] {seed, oaep.doFinal(seed)};
    }

    /** {seed, ephemeral TPMS_ECC_POINT} by ECDH on the EK's curve and KDFe "IDENTITY". */
    private static byte[][] ecdhSeed(ECPublicKey ekKey, TpmAlg nameAlg) throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(ekKey.getParams());
        KeyPair ephemeral = gen.generateKeyPair();
        KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(ephemeral.getPrivate());
        agreement.doPhase(ekKey, true);
        byte[] z = agreement.generateSecret();
        TpmsEccPoint ours = point(ephemeral.getPublic());
        TpmsEccPoint theirs = point(ekKey);
        byte[] seed = Kdf.kdfe(nameAlg, z, LABEL, ours.x(), theirs.x(), nameAlg.digestSize() * 8);
        return new byte[][] {seed, TpmWriter.marshal(ours::marshal)};
    }

    /** The key's point with coordinates padded to the curve size, as the TPM marshals it. */
    private static TpmsEccPoint point(PublicKey key) {
        return ((TpmuPublicId.Ecc) TpmtPublic.ofPublicKey(key, TpmAlg.SHA256, 0).unique()).point();
    }
}
