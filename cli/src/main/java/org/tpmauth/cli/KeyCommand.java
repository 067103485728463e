package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth key ...}: keys that live in the TPM. */
@Command(name = "key", mixinStandardHelpOptions = true,
        description = "Create, inspect, use, persist and evict keys that never leave the TPM.",
        subcommands = {KeyCreateCommand.class, KeyPublicCommand.class, KeySignCommand.class,
            KeyPersistCommand.class, KeyEvictCommand.class, KeyListCommand.class})
final class KeyCommand {
}
