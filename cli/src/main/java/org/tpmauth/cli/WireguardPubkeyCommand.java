package org.tpmauth.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.vpn.wireguard.SealedWireGuardKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth wireguard pubkey}: the sealed key's public key, without the TPM. */
@Command(name = "pubkey", mixinStandardHelpOptions = true,
        description = "Print the public key of a sealed WireGuard key (recorded in the file: no unseal, no TPM).")
final class WireguardPubkeyCommand implements Callable<Integer> {
    @Option(names = "--sealed", required = true, paramLabel = "wg.sealed", description = "The sealed key file.")
    Path sealed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        spec.commandLine().getOut().println(SealedWireGuardKey.publicKey(Tss2KeyFile.read(sealed)));
        return 0;
    }
}
