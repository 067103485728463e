package org.tpmauth.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.tpmauth.tss.fapi.FapiPath;
import org.tpmauth.tss.fapi.KeyType;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth keystore create PATH}. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a key at PATH (e.g. /HS/SRK/vpn) as tss2_createkey does.")
final class KeystoreCreateCommand implements Callable<Integer> {
    @Mixin
    KeystoreOptions options;

    @Parameters(index = "0", paramLabel = "PATH", description = "Where the key goes, below /HS/SRK.")
    String path;

    @Option(names = "--type", defaultValue = "sign", paramLabel = "TYPES",
            description = "Comma list of sign, decrypt, restricted, noDa (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(names = "--policy", paramLabel = "policy.json",
            description = "A TCG JSON policy that authorizes the key (PCR values, auth value, ...).")
    Path policy;

    @Option(names = "--password-file", paramLabel = "F", description = "The key's auth value (one trailing newline "
            + "is ignored).")
    Path passwordFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JsonPolicy json = KeystoreOptions.policy(policy);
        byte[] password = KeyRef.readPassword(passwordFile);
        try (KeystoreOptions.Open ks = options.open(spec)) {
            ks.keystore().createKey(path, KeyType.parse(type), password, json);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        spec.commandLine().getOut().println("created " + FapiPath.parse(path, options.config().profileName()));
        return 0;
    }
}
