package org.tpmauth.attestation.credential;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.tpmauth.attestation.ek.EkTemplate;
import org.tpmauth.tss.sessions.Kdf;
import org.tpmauth.tss.sessions.SharedSeed;
import org.tpmauth.tss.types.TpmAlg;
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
            SharedSeed seed = SharedSeed.with(ekKey, nameAlg, LABEL);
            byte[] symKey = Kdf.kdfa(nameAlg, seed.seed(), "STORAGE", akName, new byte[0], ek.symmetricBits());
            byte[] hmacKey = Kdf.kdfa(nameAlg, seed.seed(), "INTEGRITY", new byte[0], new byte[0], nameAlg.digestSize() * 8);
            Cipher aes = Cipher.getInstance("AES/CFB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(symKey, "AES"), new IvParameterSpec(new byte[16]));
            byte[] encIdentity = aes.doFinal(TpmWriter.marshal(out -> out.sized(credential)));
            Mac mac = Mac.getInstance("Hmac" + nameAlg.jcaDigestName().replace("-", ""));
            mac.init(new SecretKeySpec(hmacKey, mac.getAlgorithm()));
            mac.update(encIdentity);
            byte[] outerHmac = mac.doFinal(akName);
            return new CredentialFile(TpmWriter.marshal(out -> out.sized(outerHmac).bytes(encIdentity)), seed.encrypted());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot protect a credential for this EK: " + e.getMessage(), e);
        }
    }

    private static boolean isName(byte[] name) {
        return name.length > 2 && TpmAlg.byId(((name[0] & 0xff) << 8) | (name[1] & 0xff))
                .filter(TpmAlg::isHash).filter(h -> h.digestSize() == name.length - 2).isPresent();
    }
}
