package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.PublicKeys;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth key public}: the public key as SubjectPublicKeyInfo PEM. */
@Command(name = "public", mixinStandardHelpOptions = true,
        description = "Print or write a TPM key's public key as PEM (SubjectPublicKeyInfo), as openssl reads it.")
final class KeyPublicCommand implements Callable<Integer> {
    @Option(names = {"--key", "-c"}, required = true, paramLabel = "KEY",
            description = "Key file (TSS2 PRIVATE KEY), persistent handle 0x81xxxxxx or keystore:PATH (FAPI keystore).")
    String key;

    @Mixin
    KeystoreKeyOptions keystore;

    @Option(names = {"--out", "-o"}, paramLabel = "pub.pem", description = "Write here instead of standard output.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String pem;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            TpmKey k = KeyRef.load(keys, key, null, List.of(), keystore);
            pem = PublicKeys.toPem(k.publicKey());
        }
        if (out == null) {
            spec.commandLine().getOut().print(pem);
        } else {
            Files.writeString(out, pem);
        }
        return 0;
    }
}
