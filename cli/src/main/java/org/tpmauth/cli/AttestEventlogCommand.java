package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth attest eventlog ...}: TCG PC Client boot event logs. */
@Command(name = "eventlog", mixinStandardHelpOptions = true, description = "TCG PC Client boot event logs.",
        subcommands = {AttestEventlogShowCommand.class})
final class AttestEventlogCommand {
}
