package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth attest refstate ...}: reference states. */
@Command(name = "refstate", mixinStandardHelpOptions = true, description = "Reference states (what a good boot is).",
        subcommands = {AttestRefstateCreateCommand.class})
final class AttestRefstateCommand {
}
