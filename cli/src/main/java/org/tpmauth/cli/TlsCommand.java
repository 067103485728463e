package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth tls ...}: TLS with a TPM key. */
@Command(name = "tls", mixinStandardHelpOptions = true,
        description = "TLS client authentication with a key that never leaves the TPM.",
        subcommands = {TlsConnectCommand.class, TlsServeCommand.class})
final class TlsCommand {
}
