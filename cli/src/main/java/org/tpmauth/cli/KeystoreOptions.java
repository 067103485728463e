package org.tpmauth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.fapi.FapiConfig;
import org.tpmauth.tss.fapi.FapiKeystore;
import org.tpmauth.tss.fapi.policy.JsonPolicy;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The FAPI configuration the keystore commands use: --fapi-config, else the file TSS2_FAPICONF names,
 * else /etc/tpm2-tss/fapi-config.json. The TPM is --tcti, else the configuration's tcti, else the
 * environment's.
 */
final class KeystoreOptions {
    @Option(names = "--fapi-config", paramLabel = "FILE",
            description = "FAPI configuration (default: $TSS2_FAPICONF, else /etc/tpm2-tss/fapi-config.json).")
    Path fapiConfig;

    /** An open keystore and the TPM under it; closing closes both. */
    record Open(Tpm tpm, FapiKeystore keystore) implements AutoCloseable {
        @Override
        public void close() {
            try {
                keystore.close();
            } finally {
                tpm.close();
            }
        }
    }

    /** The JSON policy in {@code file}, or null without one. */
    static JsonPolicy policy(Path file) throws IOException {
        return file == null ? null : JsonPolicy.parse(Files.readAllBytes(file), file.toString());
    }

    FapiConfig config() {
        return fapiConfig == null ? FapiConfig.fromEnvironment()
                : FapiConfig.fromEnvironment(Map.of(FapiConfig.ENV, fapiConfig.toString(),
                        "HOME", System.getProperty("user.home")));
    }

    Open open(CommandSpec spec) {
        FapiConfig config = config();
        Main main = (Main) spec.root().userObject();
        Tpm tpm = main.tcti == null && !config.tcti().isEmpty() ? Tpm.open(config.tcti()) : TpmOptions.open(spec);
        return new Open(tpm, new FapiKeystore(config, tpm));
    }
}
