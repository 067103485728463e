package org.tpmauth.cli;

import picocli.CommandLine.Command;

/** {@code tpmauth keystore ...}: keys by path in the tpm2-tss FAPI keystore, shared with the tss2_* tools. */
@Command(name = "keystore", mixinStandardHelpOptions = true,
        description = {"Keys and sealed secrets by path (/HS/SRK/name) in the tpm2-tss FAPI keystore: the same "
            + "directories and object.json files as libtss2-fapi and the tss2_* tools, so keys move both ways."},
        subcommands = {KeystoreProvisionCommand.class, KeystoreListCommand.class, KeystoreCreateCommand.class,
            KeystoreSignCommand.class, KeystoreSealCommand.class, KeystoreUnsealCommand.class,
            KeystoreDeleteCommand.class, KeystoreExportCommand.class})
final class KeystoreCommand {
}
