package org.tpmauth.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.tpmauth.eap.EapResult;
import org.tpmauth.eap.EapTlsConfig;
import org.tpmauth.eap.EapTlsPeer;
import org.tpmauth.eap.radius.RadiusEapClient;
import org.tpmauth.eap.radius.RadiusResult;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tls.TpmPrivateKey;
import org.tpmauth.tls.bound.TlsIdentity;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth eap radius}: EAP-TLS against a RADIUS server, like eapol_test, with the key in the TPM. */
@Command(name = "radius", mixinStandardHelpOptions = true,
        description = {"Authenticate with EAP-TLS to a RADIUS server, as a wired or Wi-Fi access point would pass it on,",
            "with the TPM key signing the TLS handshake. Prints each step, the result, and on success the MSK (hex),",
            "checked against the MS-MPPE keys the server sends. Exits 1 when the server rejects us or the check fails."})
final class EapRadiusCommand implements Callable<Integer> {
    @Option(names = "--server", required = true, paramLabel = "HOST:PORT", description = "RADIUS server, e.g. 127.0.0.1:1812.")
    String server;

    @Option(names = "--secret-file", required = true, paramLabel = "F", description = "File holding the RADIUS shared secret.")
    Path secretFile;

    @Option(names = "--identity", required = true, paramLabel = "ID", description = "EAP identity (and RADIUS User-Name).")
    String identity;

    @Mixin
    TlsIdentityOptions tlsIdentity;

    @Mixin
    EapOptions.Tls tls;

    @Option(names = "--fragment-size", defaultValue = "" + EapTlsConfig.DEFAULT_FRAGMENT_SIZE, paramLabel = "BYTES",
            description = "Largest EAP packet we send. Default: ${DEFAULT-VALUE}")
    int fragmentSize;

    @Option(names = "--timeout", defaultValue = "3", paramLabel = "SECONDS",
            description = "Wait this long for each RADIUS answer before sending again (3 tries). Default: ${DEFAULT-VALUE}")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress address = address(server);
        byte[] secret = readSecret(secretFile);
        EapTlsConfig config = tls.config().withFragmentSize(fragmentSize);
        PrintWriter out = spec.commandLine().getOut();
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            TlsIdentity credentials = new TlsIdentity(
                    TpmPrivateKey.of(keys, tlsIdentity.load(keys)),
                    Certificates.read(tlsIdentity.cert));
            EapTlsPeer peer = new EapTlsPeer(identity, credentials, Certificates.read(tlsIdentity.ca), config)
                    .onStep(step -> out.println("eap: " + step));
            RadiusResult result = new RadiusEapClient(address, secret, Duration.ofSeconds(timeoutSeconds), 3)
                    .onStep(step -> out.println("radius: " + step))
                    .authenticate(peer, identity);
            return report(out, result);
        }
    }

    private static int report(PrintWriter out, RadiusResult result) {
        out.println("result: " + (result.accepted() ? "Access-Accept" : "Access-Reject"));
        if (result.peer() instanceof EapResult.Failure failure) {
            out.println("reason: " + failure.reason());
            return 1;
        }
        if (!(result.peer() instanceof EapResult.Success success)) {
            out.println("reason: the EAP conversation did not end");
            return 1;
        }
        HexFormat hex = HexFormat.of();
        out.println("tls: " + success.keys().version().label);
        out.println("session-id: " + hex.formatHex(success.keys().sessionId()));
        out.println("msk: " + hex.formatHex(success.keys().msk()));
        out.println("msk matches server: " + (result.success() ? "yes" : "NO"));
        return result.success() ? 0 : 1;
    }

    static InetSocketAddress address(String hostPort) throws Exception {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("give the server as HOST:PORT, not '" + hostPort + "'");
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port in '" + hostPort + "' is not a number");
        }
        return new InetSocketAddress(InetAddress.getByName(hostPort.substring(0, colon)), port);
    }

    static byte[] readSecret(Path file) throws Exception {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read the secret file " + file);
        }
        String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("the secret file " + file + " is empty");
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }
}
