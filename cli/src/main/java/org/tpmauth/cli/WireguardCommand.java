package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth wireguard ...}. */
@Command(name = "wireguard", mixinStandardHelpOptions = true,
        description = {"WireGuard private keys sealed in the TPM: released only to this machine, with the PCR "
            + "values (boot state) it was sealed to, straight into the interface."},
        subcommands = {WireguardSealCommand.class, WireguardUpCommand.class, WireguardPubkeyCommand.class,
            WireguardAgentCommand.class})
final class WireguardCommand {
}
