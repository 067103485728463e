package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth keystore seal PATH --in secret}. */
@Command(name = "seal", mixinStandardHelpOptions = true,
        description = "Seal a secret (up to 128 bytes) at PATH as tss2_createseal does.")
final class KeystoreSealCommand implements Callable<Integer> {
    @Mixin
    KeystoreOptions options;

    @Parameters(index = "0", paramLabel = "PATH", description = "Where the sealed object goes, below /HS/SRK.")
    String path;

    @Option(names = "--in", required = true, paramLabel = "secret", description = "The secret to seal.")
    Path in;

    @Option(names = "--policy", paramLabel = "policy.json", description = "A TCG JSON policy that must hold to unseal.")
    Path policy;

    @Option(names = "--password-file", paramLabel = "F", description = "Also require this auth value.")
    Path passwordFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JsonPolicy json = KeystoreOptions.policy(policy);
        byte[] secret = Files.readAllBytes(in);
        byte[] password = KeyRef.readPassword(passwordFile);
        try (KeystoreOptions.Open ks = options.open(spec)) {
            ks.keystore().createSeal(path, secret, password, json);
        } finally {
            Arrays.fill(secret, (byte) 0);
            Arrays.fill(password, (byte) 0);
        }
        spec.commandLine().getOut().println("sealed " + in + " at " + path);
        return 0;
    }
}
