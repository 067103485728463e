package org.tpmauth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tpmauth wpa-supplicant}: wpa_supplicant configuration for TPM keys. */
@Command(name = "wpa-supplicant", mixinStandardHelpOptions = true,
        description = "wpa_supplicant 802.1X (EAP-TLS) with TPM keys, for hosts without NetworkManager.",
        subcommands = {WpaSupplicantConfigCommand.class, CommandLine.HelpCommand.class})
final class WpaSupplicantCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
