package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth strongswan ...}. */
@Command(name = "strongswan", mixinStandardHelpOptions = true,
        description = {"strongSwan IKEv2 clients that authenticate with a TPM key: through the tpmauth PKCS#11 token "
            + "or strongSwan's own tpm plugin."},
        subcommands = {StrongswanConfigCommand.class})
final class StrongswanCommand {
}
