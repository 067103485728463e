package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth attest ak ...}: attestation keys. */
@Command(name = "ak", mixinStandardHelpOptions = true, description = "Attestation keys (restricted signing keys).",
        subcommands = {AttestAkCreateCommand.class})
final class AttestAkCommand {
}
