package org.tpmauth.cli;

import java.io.PrintWriter;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.eap.EapResult;
import org.tpmauth.eap.EapTlsConfig;
import org.tpmauth.eap.EapTlsPeer;
import org.tpmauth.eap.eapol.EapolSupplicant;
import org.tpmauth.eap.eapol.EthernetSocket;
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

/** {@code tpmauth eap wired}: a wired 802.1X supplicant whose TLS key is in the TPM. */
@Command(name = "wired", mixinStandardHelpOptions = true,
        description = {"Authenticate this machine on a wired 802.1X port with EAP-TLS (EAPOL on the interface),",
            "the TPM key signing the TLS handshake. Prints each step and Authorized or Unauthorized; exits 1 when",
            "unauthorized. With --stay it keeps answering the authenticator (re-authentications) until stopped.",
            "Needs CAP_NET_RAW (root)."})
final class EapWiredCommand implements Callable<Integer> {
    @Mixin
    EapOptions.Wire wire;

    @Option(names = "--identity", required = true, paramLabel = "ID", description = "EAP identity.")
    String identity;

    @Mixin
    TlsIdentityOptions tlsIdentity;

    @Mixin
    EapOptions.Tls tls;

    @Option(names = "--stay", description = "After the first result keep answering re-authentications until stopped.")
    boolean stay;

    @Option(names = "--timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Give up an authentication after this long. Default: ${DEFAULT-VALUE}")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EapTlsConfig config = tls.config();
        PrintWriter out = spec.commandLine().getOut();
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm);
             EthernetSocket socket = wire.open()) {
            TlsIdentity credentials = new TlsIdentity(
                    TpmPrivateKey.of(keys, tlsIdentity.load(keys)),
                    Certificates.read(tlsIdentity.cert));
            List<X509Certificate> ca = Certificates.read(tlsIdentity.ca);
            EapolSupplicant supplicant = new EapolSupplicant(socket,
                    () -> new EapTlsPeer(identity, credentials, ca, config).onStep(s -> out.println("eap: " + s)),
                    s -> out.println("eapol: " + s));
            Duration timeout = Duration.ofSeconds(timeoutSeconds);
            if (stay) {
                supplicant.stay(timeout, result -> report(out, result));
                return 0;
            }
            return report(out, supplicant.authenticate(timeout)) ? 0 : 1;
        }
    }

    /** Prints the verdict; true when authorized. */
    static boolean report(PrintWriter out, EapResult result) {
        if (result instanceof EapResult.Success success) {
            out.println("Authorized");
            out.println("tls: " + success.keys().version().label);
            out.println("msk: " + HexFormat.of().formatHex(success.keys().msk()));
            return true;
        }
        out.println("Unauthorized");
        if (result instanceof EapResult.Failure failure) {
            out.println("reason: " + failure.reason());
        }
        return false;
    }
}
