package org.tpmauth.cli;

import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.transport.Tcti;
import org.tpmauth.tss.transport.TctiConfig;
import picocli.CommandLine.Model.CommandSpec;

/** Opens the TPM that the global --tcti option (or the environment) names. */
final class TpmOptions {
    private TpmOptions() {
    }

    static Tpm open(CommandSpec spec) {
        return new Tpm(transport(spec), true);
    }

    /** The transport alone, for a caller that puts something between it and the Tpm. */
    static Tcti transport(CommandSpec spec) {
        Main main = (Main) spec.root().userObject();
        return TctiConfig.resolve(main.tcti).open();
    }
}
