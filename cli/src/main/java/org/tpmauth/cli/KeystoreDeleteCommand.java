package org.tpmauth.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth keystore delete PATH}. */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete the key or sealed object at PATH and everything below it (a persistent key is evicted).")
final class KeystoreDeleteCommand implements Callable<Integer> {
    @Mixin
    KeystoreOptions options;

    @Parameters(index = "0", paramLabel = "PATH", description = "The object, e.g. /HS/SRK/vpn.")
    String path;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (KeystoreOptions.Open ks = options.open(spec)) {
            ks.keystore().delete(path);
        }
        spec.commandLine().getOut().println("deleted " + path);
        return 0;
    }
}
