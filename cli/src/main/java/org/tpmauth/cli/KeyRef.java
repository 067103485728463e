package org.tpmauth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.tpmauth.tss.fapi.FapiKeystore;
import org.tpmauth.tss.keys.KeyFileFormatException;
import org.tpmauth.tss.keys.TpmAuthPolicy;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmHandles;

/**
 * What {@code --key} names: a TSS2 PRIVATE KEY file, a persistent handle such as 0x81000001 (as
 * tpm2-tools' {@code -c} accepts either), or {@code keystore:PATH}, a key of the FAPI keystore that
 * TSS2_FAPICONF configures (e.g. keystore:/HS/SRK/vpn).
 */
final class KeyRef {
    static final String KEYSTORE = "keystore:";

    private KeyRef() {
    }

    static TpmKey load(TpmKeys keys, String key, Path passwordFile) throws IOException {
        return load(keys, key, passwordFile, List.of(), new KeystoreKeyOptions());
    }

    /**
     * Loads {@code key} into {@code keys}: a key file, a persistent handle, or keystore:PATH (any key of the
     * FAPI keystore, below any parents, under any JSON policy, satisfied at each use with {@code keystore}'s
     * branch choice and auth values). {@code policySignatures} ({@code policy.sig} files) are tried, in
     * order, before the signed policies a key file holds, when the key is under an authorized policy.
     */
    static TpmKey load(TpmKeys keys, String key, Path passwordFile, List<Path> policySignatures,
            KeystoreKeyOptions keystore) throws IOException {
        byte[] password = readPassword(passwordFile);
        try {
            if (key.toLowerCase().startsWith("0x81")) {
                return keys.persistent(TpmHandles.parse(key), password);
            }
            if (key.startsWith(KEYSTORE)) {
                if (!policySignatures.isEmpty()) {
                    throw new IllegalArgumentException("--policy-signature is for key files; a keystore key's "
                            + "PolicyAuthorize takes the signed policies of the keystore (tss2_authorizepolicy)");
                }
                return keystore.open(keys).load(key.substring(KEYSTORE.length()), password);
            }
            Tss2KeyFile file = readFile(key, keystore.fapi);
            return keys.load(withSignedPolicies(file, policySignatures), password);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    /**
     * The key file {@code key} names, for programs that load key files themselves (openconnect, strongSwan):
     * a file, or keystore:PATH as a key file when the keystore key can be one (directly below a persistent
     * parent without auth value; else the error says to use tpmauth's own signers or the PKCS#11 token).
     */
    static Tss2KeyFile readFile(String key, KeystoreOptions fapi) throws IOException {
        if (key.startsWith(KEYSTORE)) {
            return FapiKeystore.offline(fapi.config()).keyFile(key.substring(KEYSTORE.length()));
        }
        Path path = Path.of(key);
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("no key file at " + key
                    + " (give a TSS2 key file, a persistent handle such as 0x81000001, or keystore:/HS/SRK/name)");
        }
        try {
            return Tss2KeyFile.read(path);
        } catch (KeyFileFormatException e) {
            throw new IllegalArgumentException(key + " is not a usable TSS2 key file: " + e.getMessage(), e);
        }
    }

    /** {@code file} with the signed policies of {@code policySignatures} tried first, in the order given. */
    static Tss2KeyFile withSignedPolicies(Tss2KeyFile file, List<Path> policySignatures) throws IOException {
        Tss2KeyFile result = file;
        for (int i = policySignatures.size() - 1; i >= 0; i--) {
            Path sig = policySignatures.get(i);
            try {
                result = result.withSignedPolicy(TpmAuthPolicy.read(sig));
            } catch (KeyFileFormatException e) {
                throw new IllegalArgumentException(sig + " is not a signed policy (tpmauth policy sign): "
                        + e.getMessage(), e);
            }
        }
        return result;
    }

    /**
     * The password in a file: its bytes without one trailing newline (so {@code echo secret > F}
     * works), or empty when no file is given.
     */
    static byte[] readPassword(Path file) throws IOException {
        if (file == null) {
            return new byte[0];
        }
        byte[] data = Files.readAllBytes(file);
        int n = data.length;
        if (n > 0 && data[n - 1] == '\n') {
            n--;
            if (n > 0 && data[n - 1] == '\r') {
                n--;
            }
        }
        byte[] password = Arrays.copyOf(data, n);
        Arrays.fill(data, (byte) 0);
        if (password.length > 64) {
            throw new IllegalArgumentException("the password in " + file + " is longer than the TPM's 64-byte limit");
        }
        return password;
    }
}
