package org.tpmauth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.tpmauth.pkcs11.SystemdSocket;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.Sealing;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.sessions.PreparedSalts;
import org.tpmauth.vpn.wireguard.AgentRequest;
import org.tpmauth.vpn.wireguard.WgControl;
import org.tpmauth.vpn.wireguard.WireGuardAgent;
import org.tpmauth.vpn.wireguard.WireGuardBringUp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth wireguard agent}: the resident bring-up service. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Serve sealed WireGuard bring-ups on a unix socket, until stopped: one TPM connection kept open "
            + "(resource manager, storage key), so a bring-up costs the unseal, the key and the link, not a JVM start; "
            + "for a userspace WireGuard (wireguard-go, boringtun) the key goes over its configuration socket "
            + "(/var/run/wireguard/IFACE.sock) and the link up by SIOCSIFFLAGS, without starting a process; the kernel "
            + "module's interfaces get the key through `wg set IFACE private-key /dev/stdin`.",
            "Requests are one line each, answered with one line: '" + AgentRequest.USAGE + "' (absolute paths) -> "
                + "'ok PUBLIC_KEY' or 'error MESSAGE', the message `tpmauth wireguard up` would print; on any failure "
                + "the interface is left with no private key and down. From a shell (wg-quick's PostUp): "
                + "printf 'up %%s %%s\\n' wg0 /etc/wireguard/wg0.sealed | nc -U -N " + WireguardAgentCommand.DEFAULT_SOCKET
                + " (check that the answer starts with 'ok': nc's exit status only says it connected), or "
                + "contrib/wireguard/tpmauth-wg-up, which does; from tpmauth: wireguard up --agent.",
            "The socket is made with mode 0600: only its owner (root, who may set interface keys anyway) can use it. "
                + "Started by systemd's socket activation, it serves the socket it was given and ignores --socket; "
                + "units in contrib/systemd/system. Keys sealed with a password cannot go through the agent."})
final class WireguardAgentCommand implements Callable<Integer> {
    static final String DEFAULT_SOCKET = "/run/tpmauth/wireguard.sock";
    /** Unseals of the warm-up at most (about 0.1 s of TPM time each at most on swtpm under load). */
    static final int WARM_UP_ROUNDS = 30;
    private static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    @Option(names = "--socket", defaultValue = DEFAULT_SOCKET, paramLabel = "PATH",
            description = "Unix socket to serve (default: ${DEFAULT-VALUE}).")
    Path socket;

    @Option(names = "--netns", paramLabel = "NS",
            description = "The interfaces live in this network namespace (/run/netns/NS, as `ip netns add` makes them): "
                + "the link is set from there, wg runs in `ip netns exec NS`. Without it, the agent's own namespace.")
    String netns;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        launchToolsByVfork();
        Optional<ServerSocketChannel> passed = SystemdSocket.listener(System.getenv());
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            tpm.prepareSalts(new PreparedSalts()); // each unseal's session salt made between requests
            WireGuardBringUp bringUp = new WireGuardBringUp(new Sealing(keys), new WgControl(Optional.ofNullable(netns)));
            WireGuardAgent.Handler handler = request -> bringUp.up(
                    KeyRef.withSignedPolicies(Tss2KeyFile.read(request.sealed()), request.policySignatures()),
                    new byte[0], request.iface());
            try (WireGuardAgent agent = start(handler, passed)) {
                spec.commandLine().getOut().println("tpmauth wireguard agent: serving " + agent.socket());
                warmUpInBackground(bringUp, agent);
                Services.serveUntilStopped(agent, agent::awaitClose);
            }
        }
        return 0;
    }

    /**
     * `wg` (the kernel module's interfaces only) started by vfork and exec instead of posix_spawn of the JDK's
     * jspawnhelper, which then execs it: one exec less per tool run (bench/README.md, issue 11, session 7). JDK 17 to 21 offer it; left alone when the user chose a mechanism
     * (-Djdk.lang.Process.launchMechanism) or on later JDKs. Read when this JVM starts its first process, which
     * the agent has not yet done here.
     */
    private static void launchToolsByVfork() {
        if (System.getProperty(LAUNCH_MECHANISM) == null && Runtime.version().feature() <= 21) {
            System.setProperty(LAUNCH_MECHANISM, "VFORK");
        }
    }

    /**
     * The bring-up's code run before the first request (WireGuardBringUp#warmUp: a throwaway secret sealed and
     * unsealed, the loopback link's state read), so that the first wg-quick at boot is not served by cold code: the first
     * request after a start took 0.8-1 s against 0.1-0.3 s later (bench/README.md, issue 11, session 7). It stops
     * when the first client comes; a failure (the TPM busy, PCR 16 changing) only ends it.
     */
    private void warmUpInBackground(WireGuardBringUp bringUp, WireGuardAgent agent) {
        Thread warmUp = new Thread(() -> {
            long start = System.nanoTime();
            try {
                int rounds = bringUp.warmUp(WARM_UP_ROUNDS, () -> !agent.hasServed());
                log(String.format("tpmauth wireguard agent: warmed up (%d unseals, %.0f ms)", rounds,
                        (System.nanoTime() - start) / 1e6));
            } catch (RuntimeException e) {
                log("tpmauth wireguard agent: warm-up stopped: " + Errors.oneLine(e));
            }
        }, "wireguard-agent-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    /** One line to the command's error stream (the journal under systemd). */
    private void log(String line) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(line);
        err.flush();
    }

    /** Serves the socket systemd handed over (LISTEN_FDS, or on stdin), else a new one at --socket. */
    private WireGuardAgent start(WireGuardAgent.Handler handler, Optional<ServerSocketChannel> passed) throws IOException {
        if (passed.isPresent()) {
            return WireGuardAgent.start(passed.get(), handler, Errors::oneLine, this::log);
        }
        Files.createDirectories(socket.toAbsolutePath().getParent());
        return WireGuardAgent.start(socket, handler, Errors::oneLine, this::log);
    }
}
