package org.tpmauth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tpmauth nm}: NetworkManager profiles whose keys live in the TPM. */
@Command(name = "nm", mixinStandardHelpOptions = true, description = "NetworkManager 802.1X (EAP-TLS) with TPM keys.",
        subcommands = {NmProvisionCommand.class, CommandLine.HelpCommand.class})
final class NmCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
