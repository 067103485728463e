package org.tpmauth.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.vpn.wireguard.WgControl;
import org.tpmauth.vpn.wireguard.WireGuardBringUp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth wireguard up}: unseal into the interface, or leave it keyless and down. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Unseal a WireGuard key (through an encrypted TPM session) and hand it to `wg set IFACE "
            + "private-key /dev/stdin`, then set the link up and check its public key. The interface must exist "
            + "(wg-quick, `ip link add IFACE type wireguard`, or wireguard-go) with its peers configured. On any "
            + "failure (a PCR changed, wrong password, no such interface) the interface is left with no private "
            + "key and down, and the message names what failed. Nothing is created or persisted in the TPM: the key "
            + "is loaded under the storage key persisted at 0x81000001 when the machine has one with the standard "
            + "SRK template (e.g. provisioned by systemd), which saves creating the storage primary, else under the "
            + "storage primary created for this run and flushed. For wg-quick: PostUp = tpmauth wireguard up "
            + "--sealed /etc/wireguard/%%i.sealed --interface %%i"})
final class WireguardUpCommand implements Callable<Integer> {
    @Option(names = "--sealed", required = true, paramLabel = "wg.sealed", description = "The sealed key file.")
    Path sealed;

    @Option(names = "--interface", required = true, paramLabel = "IFACE", description = "The WireGuard interface.")
    String iface;

    @Mixin
    UnsealOptions unsealing;

    @Option(names = "--netns", paramLabel = "NS",
            description = "The interface lives in this network namespace (runs wg and ip through `ip netns exec NS`).")
    String netns;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Tss2KeyFile file = unsealing.read(sealed);
        byte[] password = unsealing.password();
        String pub;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            pub = new WireGuardBringUp(new Sealing(keys), new WgControl(Optional.ofNullable(netns)))
                    .up(file, password, iface);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        spec.commandLine().getOut().println(iface + " is up with public key " + pub);
        return 0;
    }
}
