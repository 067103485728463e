package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth policy ...}: signed PCR policies, and policies in the TCG JSON policy language. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = {"sign: sign authorized policies, the PCR values under which keys and sealed data made with "
            + "--authorized-by may be used.",
            "digest: the digest of a policy in the TCG JSON policy language (the files tpm2-tss FAPI reads)."},
        subcommands = {PolicySignCommand.class, PolicyDigestCommand.class})
final class PolicyCommand {
}
