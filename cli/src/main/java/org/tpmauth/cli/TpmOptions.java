package org.tpmauth.cli;

import org.tpmauth.tss.Tpm;
import picocli.CommandLine.Model.CommandSpec;

/** Opens the TPM that the global --tcti option (or the environment) names. */
final class TpmOptions {
    private TpmOptions() {
    }

    static Tpm open(CommandSpec spec) {
        Main main = (Main) spec.root().userObject();
        return Tpm.open(main.tcti);
    }
}
