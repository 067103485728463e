package org.tpmauth.cli;

import java.io.PrintWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.vpn.openvpn.ManagementEndpoint;
import org.tpmauth.vpn.openvpn.OpenVpnBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth openvpn}: OpenVPN's external key and certificate, served from the TPM over the management interface. */
@Command(name = "openvpn", mixinStandardHelpOptions = true,
        description = {"Serve OpenVPN's --management-external-key and --management-external-cert from a TPM key: "
            + "connect to OpenVPN's management interface (or, with --listen, wait for its --management-client "
            + "connection), send the certificate, and sign each TLS handshake in the TPM (ECDSA, RSA-PSS, PKCS#1, raw "
            + "RSA). Runs until stopped (SIGTERM); reconnects when OpenVPN restarts. Logs one line per event on "
            + "stdout."},
        footer = {"", "OpenVPN side (client config):",
            "  management /run/tpmauth/openvpn.sock unix",
            "  management-external-key pkcs1 pss",
            "  management-external-cert tpmauth"})
final class OpenVpnCommand implements Callable<Integer> {
    @Option(names = "--management", required = true, paramLabel = "HOST:PORT|unix:PATH",
            description = "OpenVPN's management interface (its `management` option), or ours with --listen.")
    String management;

    @Option(names = "--listen", description = "Wait for OpenVPN to connect (its `management-client` option).")
    boolean listen;

    @Option(names = {"--key", "-c"}, required = true, paramLabel = "KEY",
            description = "Key file (TSS2 PRIVATE KEY), persistent handle 0x81xxxxxx or keystore:PATH (FAPI keystore).")
    String key;

    @Mixin
    KeystoreKeyOptions keystore;

    @Option(names = "--cert", required = true, paramLabel = "cert.pem",
            description = "The key's certificate, then any intermediate CAs to send along.")
    Path cert;

    @Option(names = "--password-file", paramLabel = "F", description = "The key's password (if it has one).")
    Path passwordFile;

    @Option(names = "--management-password-file", paramLabel = "F",
            description = "The management interface's password: the first line of F (OpenVPN's `management ... pw-file`).")
    Path managementPasswordFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ManagementEndpoint endpoint = ManagementEndpoint.parse(management);
        var chain = Certificates.read(cert);
        byte[] managementPassword = managementPasswordFile == null ? null : firstLine(managementPasswordFile);
        PrintWriter out = spec.commandLine().getOut();
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            TpmPrivateKey tpmKey = TpmPrivateKey.of(keys, KeyRef.load(keys, key, passwordFile, List.of(), keystore));
            OpenVpnBackend backend = new OpenVpnBackend(endpoint, listen, tpmKey, chain, managementPassword,
                    line -> out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + line));
            CountDownLatch done = new CountDownLatch(1);
            Thread stopper = new Thread(() -> {
                backend.close();
                awaitQuietly(done);
            }, "tpmauth-openvpn-stop");
            Runtime.getRuntime().addShutdownHook(stopper);
            try {
                backend.run();
            } finally {
                done.countDown();
                removeHook(stopper);
            }
        } finally {
            if (managementPassword != null) {
                Arrays.fill(managementPassword, (byte) 0);
            }
        }
        return 0;
    }

    private static byte[] firstLine(Path file) throws IOException {
        String text = Files.readString(file);
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        return (line.endsWith("\r") ? line.substring(0, line.length() - 1) : line).getBytes(
                StandardCharsets.UTF_8);
    }

    private static void awaitQuietly(CountDownLatch done) {
        try {
            done.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is what stopped us
        }
    }
}
