package org.tpmauth.tss.sessions;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmtSymDefObject;
import org.tpmauth.tss.wire.TpmReader;

/**
 * Session-based parameter encryption (Part 1, "Parameter Encryption") of the data of the first TPM2B
 * parameter: AES in CFB mode with key and IV from KDFa(authHash, sessionValue, "CFB", nonceNewer,
 * nonceOlder, keyBits + 128), or XOR with the mask KDFa(authHash, sessionValue, "XOR", nonceNewer,
 * nonceOlder, dataBits). The size field stays in clear. The KDF's HMAC engine comes keyed with sessionValue.
 */
final class ParameterEncryption {
    private static final int AES_BLOCK = 16;

    private ParameterEncryption() {
    }

    /** A copy of {@code parameters} with the first TPM2B's data encrypted ({@code encrypt}) or decrypted. */
    static byte[] apply(TpmtSymDefObject symmetric, Mac sessionValue, byte[] nonceNewer, byte[] nonceOlder,
            byte[] parameters, boolean encrypt) {
        byte[] data = new TpmReader(parameters).enter("encrypted parameter").sized();
        byte[] transformed;
        if (symmetric instanceof TpmtSymDefObject.Xor) {
            transformed = xor(data, Kdf.kdfa(sessionValue, "XOR", nonceNewer, nonceOlder,
                    Math.max(1, data.length) * 8));
        } else if (symmetric instanceof TpmtSymDefObject.Cipher c && c.algorithm() == TpmAlg.AES
                && c.mode() == TpmAlg.CFB) {
            byte[] keyIv = Kdf.kdfa(sessionValue, "CFB", nonceNewer, nonceOlder, c.keyBits() + AES_BLOCK * 8);
            transformed = aesCfb(Arrays.copyOf(keyIv, c.keyBits() / 8),
                    Arrays.copyOfRange(keyIv, c.keyBits() / 8, keyIv.length), data, encrypt);
        } else {
            throw new IllegalArgumentException("parameter encryption supports AES-CFB and XOR, not " + symmetric);
        }
        byte[] out = parameters.clone();
        System.arraycopy(transformed, 0, out, 2, transformed.length);
        return out;
    }

    private static byte[] xor(byte[] data, byte[] mask) {
        byte[] out = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (byte) (data[i] ^ mask[i]);
        }
        return out;
    }

    private static byte[] aesCfb(byte[] key, byte[] iv, byte[] data, boolean encrypt) {
        try {
            Cipher cipher = SessionCrypto.perThread(Cipher.class, "AES/CFB/NoPadding", Cipher::getInstance);
            cipher.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new IvParameterSpec(iv));
            return cipher.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CFB is not available", e);
        }
    }
}
