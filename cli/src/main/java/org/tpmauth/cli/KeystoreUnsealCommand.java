package org.tpmauth.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth keystore unseal PATH}. */
@Command(name = "unseal", mixinStandardHelpOptions = true,
        description = "Unseal the secret at PATH (its policy must hold); to --out, else to standard output as is.")
final class KeystoreUnsealCommand implements Callable<Integer> {
    @Mixin
    KeystoreKeyOptions keystore;

    @Parameters(index = "0", paramLabel = "PATH", description = "The sealed object, e.g. /HS/SRK/disk.")
    String path;

    @Option(names = "--password-file", paramLabel = "F", description = "Its auth value (if it has one).")
    Path passwordFile;

    @Option(names = {"--out", "-o"}, paramLabel = "FILE", description = "Write the secret here (mode 600).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        byte[] password = KeyRef.readPassword(passwordFile);
        byte[] secret;
        try (KeystoreOptions.Open ks = keystore.fapi.open(spec)) {
            keystore.applyTo(ks.keystore());
            secret = ks.keystore().unseal(path, password);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        UnsealCommand.writeSecret(spec, secret, out);
        return 0;
    }
}
