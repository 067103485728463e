package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth policy ...}: policies for keys and sealed data. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Sign authorized policies: the PCR values under which keys and sealed data made with "
            + "--authorized-by may be used.",
        subcommands = {PolicySignCommand.class})
final class PolicyCommand {
}
