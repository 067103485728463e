package org.tpmauth.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.types.TpmHandles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth key persist}: keep a key in the TPM's NV memory at a handle. */
@Command(name = "persist", mixinStandardHelpOptions = true,
        description = {"Make a key persistent at a handle, so that programs can use it by handle "
            + "(strongSwan's tpm plugin, tpm2-tools -c 0x81...) without the key file."})
final class KeyPersistCommand implements Callable<Integer> {
    @Option(names = {"--key", "-c"}, required = true, paramLabel = "key.pem",
            description = "Key file (or keystore:PATH) to persist.")
    String key;

    @Mixin
    KeystoreKeyOptions keystore;

    @Option(names = "--handle", required = true, paramLabel = "0x81xxxxxx",
            description = "Persistent handle, 0x81000000-0x817fffff for owner keys.")
    String handle;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int h = TpmHandles.parse(handle);
        // 0x81800000 and up belong to the platform hierarchy: the TPM would only say TPM_RC_RANGE
        if ((h & 0xFF800000) != 0x81000000) {
            throw new IllegalArgumentException(TpmHandles.hex(h)
                    + " is not an owner persistent handle; owner keys go in 0x81000000-0x817fffff");
        }
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            keys.persist(KeyRef.load(keys, key, null, List.of(), keystore), h);
        }
        spec.commandLine().getOut().println("persisted " + key + " at " + TpmHandles.hex(h));
        return 0;
    }
}
