package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth eap ...}: 802.1X EAP-TLS with a TPM key. */
@Command(name = "eap", mixinStandardHelpOptions = true,
        description = "802.1X EAP-TLS authentication with a key that never leaves the TPM.",
        subcommands = {EapRadiusCommand.class, EapWiredCommand.class, EapAuthenticatorCommand.class})
final class EapCommand {
}
