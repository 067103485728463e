package org.tpmauth.cli;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmException;
import org.tpmauth.tss.keys.KeyScheme;
import org.tpmauth.tss.keys.PasswordRequiredException;
import org.tpmauth.tss.keys.SigningScheme;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmAlg;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth key sign}: sign a file with a TPM key. */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Sign a file with a TPM key. The file is hashed here, the digest is signed inside the TPM.",
            "Verify with: openssl dgst -sha256 -verify pub.pem -signature sig.der FILE",
            "(PSS: add -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1)"})
final class KeySignCommand implements Callable<Integer> {
    @Option(names = {"--key", "-c"}, required = true, paramLabel = "KEY",
            description = "Key file (TSS2 PRIVATE KEY), persistent handle 0x81xxxxxx or keystore:PATH (FAPI keystore).")
    String key;

    @Mixin
    KeystoreKeyOptions keystore;

    @Option(names = "--password-file", paramLabel = "F", description = "The key's password (if it has one).")
    Path passwordFile;

    @Option(names = "--policy-signature", paramLabel = "policy.sig",
            description = "For a key made with --authorized-by: a signed policy (tpmauth policy sign), tried before "
                + "those in the key file; may be repeated.")
    List<Path> policySignatures = new ArrayList<>();

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "File to sign.")
    Path in;

    @Option(names = {"--digest", "-g"}, defaultValue = "sha256", paramLabel = "HASH",
            description = "sha256 | sha384 | sha512 (default: ${DEFAULT-VALUE})")
    String digest;

    @Option(names = "--scheme", paramLabel = "SCHEME",
            description = "ecdsa | pkcs1 | pss (default: the key's fixed scheme if it has one, else ecdsa for EC keys, "
                + "pkcs1 for RSA keys); PSS salt = digest length")
    String scheme;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "sig.der",
            description = "Signature file: DER for ECDSA, raw for RSA (what openssl dgst -verify reads).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TpmAlg hash = TpmAlg.hashByName(digest);
        if (hash == TpmAlg.SHA1) {
            throw new IllegalArgumentException("SHA-1 signatures are not offered; use sha256, sha384 or sha512");
        }
        byte[] hashed = hashFile(in, hash);
        byte[] signature;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            TpmKey k = KeyRef.load(keys, key, passwordFile, policySignatures, keystore);
            SigningScheme s = scheme != null ? SigningScheme.parse(scheme) : KeyScheme.of(k.publicArea())
                    .map(KeyScheme::scheme).orElse(SigningScheme.defaultFor(k.type()));
            signature = sign(keys, k, hashed, hash, s);
        }
        Files.write(out, signature);
        return 0;
    }

    /** Signs; names the CLI option when the key needs a password that was not given. */
    private byte[] sign(TpmKeys keys, TpmKey k, byte[] hashed, TpmAlg hash, SigningScheme s) {
        try {
            return keys.sign(k, hashed, hash, s);
        } catch (PasswordRequiredException e) {
            throw new TpmException(key + " is password protected: give its password with --password-file F ("
                    + e.getMessage() + ")", e);
        }
    }

    static byte[] hashFile(Path file, TpmAlg hash) throws Exception {
        MessageDigest md = MessageDigest.getInstance(hash.jcaDigestName());
        try (InputStream stream = Files.newInputStream(file)) {
            byte[] buffer = new byte[65536];
            for (int n; (n = stream.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
        }
        return md.digest();
    }
}
