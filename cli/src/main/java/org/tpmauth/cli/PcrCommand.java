package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth pcr ...}. */
@Command(name = "pcr", mixinStandardHelpOptions = true, description = "Platform configuration registers.",
        subcommands = {PcrReadCommand.class})
final class PcrCommand {
}
