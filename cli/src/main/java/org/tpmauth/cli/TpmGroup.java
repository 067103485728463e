package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth tpm ...}: the TPM itself. */
@Command(name = "tpm", mixinStandardHelpOptions = true, description = "Inspect the TPM.",
        subcommands = {TpmInfoCommand.class})
final class TpmGroup {
}
