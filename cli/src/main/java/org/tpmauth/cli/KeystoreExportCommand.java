package org.tpmauth.cli;

import java.util.concurrent.Callable;
import org.tpmauth.tss.fapi.FapiKeystore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth keystore export PATH}. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Print the public key of the key at PATH as PEM (SubjectPublicKeyInfo).")
final class KeystoreExportCommand implements Callable<Integer> {
    @Mixin
    KeystoreOptions options;

    @Parameters(index = "0", paramLabel = "PATH", description = "The key, e.g. /HS/SRK/vpn.")
    String path;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // the public key is in object.json: no TPM needed
        spec.commandLine().getOut().print(FapiKeystore.offline(options.config()).exportPublicKeyPem(path));
        return 0;
    }
}
