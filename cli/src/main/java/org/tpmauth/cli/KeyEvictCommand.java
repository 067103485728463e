package org.tpmauth.cli;

import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmHandles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth key evict}: remove a persistent key. */
@Command(name = "evict", mixinStandardHelpOptions = true,
        description = "Remove the persistent key at a handle from the TPM (key files of it stay usable).")
final class KeyEvictCommand implements Callable<Integer> {
    @Option(names = "--handle", required = true, paramLabel = "0x81xxxxxx", description = "Persistent handle.")
    String handle;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        int h = TpmHandles.parse(handle);
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            keys.evict(h);
        }
        spec.commandLine().getOut().println("evicted " + TpmHandles.hex(h));
        return 0;
    }
}
