package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth keystore sign PATH --in FILE --out sig}. */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Sign a file with the key at PATH in the key's signing scheme (ECDSA or RSA-PSS with the "
            + "profile's hash): the file is hashed here, the digest signed inside the TPM, after the key's JSON "
            + "policy, if any, is satisfied."})
final class KeystoreSignCommand implements Callable<Integer> {
    @Mixin
    KeystoreKeyOptions keystore;

    @Parameters(index = "0", paramLabel = "PATH", description = "The key, e.g. /HS/SRK/vpn.")
    String path;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "File to sign.")
    Path in;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "sig",
            description = "Signature file: DER for ECDSA, raw for RSA (as tss2_sign writes it).")
    Path out;

    @Option(names = "--password-file", paramLabel = "F", description = "The key's auth value (if it has one).")
    Path passwordFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        byte[] password = KeyRef.readPassword(passwordFile);
        byte[] signature;
        try (KeystoreOptions.Open ks = keystore.fapi.open(spec)) {
            keystore.applyTo(ks.keystore());
            var hash = ks.keystore().object(path).signingScheme().hash();
            signature = ks.keystore().sign(path, KeySignCommand.hashFile(in, hash), password);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        Files.write(out, signature);
        spec.commandLine().getOut().println("signed " + in + " with " + path + " -> " + out);
        return 0;
    }
}
