package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth attest ima ...}: Linux IMA runtime measurement logs. */
@Command(name = "ima", mixinStandardHelpOptions = true, description = "Linux IMA runtime measurement logs.",
        subcommands = {AttestImaShowCommand.class})
final class AttestImaCommand {
}
