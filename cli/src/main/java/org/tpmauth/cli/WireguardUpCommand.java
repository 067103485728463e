package org.tpmauth.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.vpn.wireguard.AgentRequest;
import org.tpmauth.vpn.wireguard.WgControl;
import org.tpmauth.vpn.wireguard.WireGuardAgent;
import org.tpmauth.vpn.wireguard.WireGuardBringUp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth wireguard up}: unseal into the interface, or leave it keyless and down. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Unseal a WireGuard key (through an encrypted TPM session) and give it to the interface: over "
            + "a userspace WireGuard's configuration socket (/var/run/wireguard/IFACE.sock: wireguard-go, boringtun), "
            + "else (the kernel module) through `wg set IFACE private-key /dev/stdin`; then set the link up. The "
            + "interface must exist (wg-quick, `ip link add IFACE type wireguard`, or wireguard-go) with its peers configured. On any "
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
            description = "The interface lives in this network namespace (/run/netns/NS, as `ip netns add` makes "
                + "them): the link is set from there, wg runs in `ip netns exec NS`.")
    String netns;

    @Option(names = "--agent", arity = "0..1", fallbackValue = WireguardAgentCommand.DEFAULT_SOCKET, paramLabel = "PATH",
            description = "Ask the running `tpmauth wireguard agent` on this socket (default "
                + WireguardAgentCommand.DEFAULT_SOCKET + ") to bring the interface up instead of unsealing here: "
                + "its warm TPM connection saves this process's TPM work; the interface is the agent's (no --netns), "
                + "and keys with a password cannot go through it.")
    Path agent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String pub = agent == null ? unsealHere() : throughAgent();
        spec.commandLine().getOut().println(iface + " is up with public key " + pub);
        return 0;
    }

    private String throughAgent() throws Exception {
        if (unsealing.passwordFile != null || netns != null) {
            throw new IllegalArgumentException("--agent takes neither --password-file nor --netns (the agent unseals "
                    + "without a password, in the namespace it was started for); leave out --agent to unseal here");
        }
        List<Path> signatures = unsealing.policySignatures.stream().map(Path::toAbsolutePath).toList();
        return WireGuardAgent.request(agent, new AgentRequest(iface, sealed.toAbsolutePath(), signatures));
    }

    private String unsealHere() throws Exception {
        Tss2KeyFile file = unsealing.read(sealed);
        byte[] password = unsealing.password();
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            return new WireGuardBringUp(new Sealing(keys), new WgControl(Optional.ofNullable(netns)))
                    .up(file, password, iface);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }
}
