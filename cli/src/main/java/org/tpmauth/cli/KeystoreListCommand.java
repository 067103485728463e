package org.tpmauth.cli;

import java.util.concurrent.Callable;
import org.tpmauth.tss.fapi.FapiKeystore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code tpmauth keystore list}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the keystore's objects at or below a path, one full path a line (as tss2_list names them).")
final class KeystoreListCommand implements Callable<Integer> {
    @Mixin
    KeystoreOptions options;

    @Parameters(index = "0", defaultValue = "/", paramLabel = "PATH", description = "Search path (default: all).")
    String searchPath;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // listing reads files only: no TPM needed
        FapiKeystore.offline(options.config()).list(searchPath).forEach(spec.commandLine().getOut()::println);
        return 0;
    }
}
