package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth policy ...}: TPM policies written in the TCG JSON policy language. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Work with policies in the TCG JSON policy language (the files tpm2-tss FAPI reads).",
        subcommands = {PolicyDigestCommand.class})
final class PolicyCommand {
}
