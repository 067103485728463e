package org.tpmauth.cli;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.tpmauth.pkcs11.P11KitModuleConfig;
import org.tpmauth.pkcs11.Pkcs11Server;
import org.tpmauth.pkcs11.SystemdSocket;
import org.tpmauth.pkcs11.Token;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth pkcs11 serve}: the long-running token service. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the keystore as one PKCS#11 slot and token on a unix socket, until stopped.",
            "Each NAME.key (TSS2 PRIVATE KEY) with its NAME.crt (certificate, then chain) becomes a "
                + "private key, public key and certificate labelled ALIAS. Programs reach it with "
                + "P11_KIT_SERVER_ADDRESS=unix:path=SOCKET and p11-kit-client.so, or through "
                + "'tpmauth pkcs11 install'.",
            "PIN: with --pin-file the token needs that PIN; keys with a password take it as their password. "
                + "Without it the PIN is the keys' password, and keys without one need no login. Wrong PINs "
                + "are refused before the TPM's dictionary-attack lockout would lock every key.",
            "Socket mode 0660: the socket's group decides who may use the token (the systemd unit uses group "
                + "tpmauth). Started by systemd's socket activation (LISTEN_FDS, or StandardInput=socket), it "
                + "serves the socket it was given and ignores --socket; units in contrib/systemd."})
final class Pkcs11ServeCommand implements Callable<Integer> {
    @Option(names = "--socket", defaultValue = Pkcs11Command.DEFAULT_SOCKET, paramLabel = "PATH",
            description = "Unix socket to serve (default: ${DEFAULT-VALUE}).")
    Path socket;

    @Option(names = "--keystore", defaultValue = "/var/lib/tpmauth/keystore", paramLabel = "DIR",
            description = "Keystore directory of NAME.key + NAME.crt pairs (default: ${DEFAULT-VALUE}).")
    Path keystore;

    @Option(names = "--pin-file", paramLabel = "F",
            description = "Require login with the PIN in F (one trailing newline ignored).")
    Path pinFile;

    @Option(names = "--label", defaultValue = "tpmauth", paramLabel = "NAME",
            description = "Token label, the token= of pkcs11: URIs (default: ${DEFAULT-VALUE}).")
    String label;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(keystore)) {
            throw new IllegalArgumentException("no keystore directory " + keystore
                    + " (create it and add NAME.key + NAME.crt pairs, or give --keystore DIR)");
        }
        // what systemd passed is checked before any TPM work: a unit mistake fails at once
        Optional<ServerSocketChannel> passed = SystemdSocket.listener(System.getenv());
        byte[] pin = pinFile == null ? null : KeyRef.readPassword(pinFile);
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            Token token = Token.open(keys, keystore, label, pin);
            try (Pkcs11Server server = start(token, passed)) {
                spec.commandLine().getOut().println("tpmauth pkcs11: serving token '" + label + "' ("
                        + token.aliases().size() + " keys: " + String.join(", ", token.aliases()) + ") on "
                        + P11KitModuleConfig.address(server.socket().toAbsolutePath()));
                warmUpInBackground(server);
                Services.serveUntilStopped(server, server::awaitClose);
            }
        } finally {
            if (pin != null) {
                Arrays.fill(pin, (byte) 0);
            }
        }
        return 0;
    }

    /**
     * A program's calls run through the token's own socket before programs come (Pkcs11Server#warmUp), so
     * that the first programs are not served by interpreted code; they may connect meanwhile.
     */
    private static void warmUpInBackground(Pkcs11Server server) {
        Thread warmUp = new Thread(() -> server.warmUp().ifPresent(r -> System.err.println("tpmauth pkcs11: warmed up ("
                + r.calls() + " calls, " + r.signatures() + " signatures, " + r.took().toMillis() + " ms)")),
                "pkcs11-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    /** Serves the socket systemd handed over (LISTEN_FDS, or on stdin), else a new one at --socket. */
    private Pkcs11Server start(Token token, Optional<ServerSocketChannel> passed) throws IOException {
        if (passed.isPresent()) {
            return Pkcs11Server.start(token, passed.get(), System.err);
        }
        Files.createDirectories(socket.toAbsolutePath().getParent());
        return Pkcs11Server.start(token, socket, System.err);
    }
}
