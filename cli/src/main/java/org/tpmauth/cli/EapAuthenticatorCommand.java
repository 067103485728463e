package org.tpmauth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.tpmauth.eap.EapResult;
import org.tpmauth.eap.EapTlsAuthenticator;
import org.tpmauth.eap.EapTlsConfig;
import org.tpmauth.eap.PeerPolicy;
import org.tpmauth.eap.eapol.EapolAuthenticator;
import org.tpmauth.eap.eapol.EapolFrame;
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

/** {@code tpmauth eap authenticator}: a minimal wired 802.1X authenticator with its own EAP-TLS server. */
@Command(name = "authenticator", mixinStandardHelpOptions = true,
        description = {"Guard a wired port: run 802.1X with the machine on the other end of the interface, with an",
            "EAP-TLS server of our own (no RADIUS). Clients need a certificate from --ca. Prints each step and",
            "'authorized MAC IDENTITY' or 'unauthorized MAC: reason' per authentication; runs until stopped",
            "(or --count authentications). The server key is a TPM key (TSS2 key file or handle) or a software",
            "key (PEM). Needs CAP_NET_RAW (root)."})
final class EapAuthenticatorCommand implements Callable<Integer> {
    @Mixin
    EapOptions.Wire wire;

    @Option(names = "--ca", required = true, paramLabel = "ca.pem", description = "CA certificates clients must chain to.")
    Path ca;

    @Option(names = "--cert", required = true, paramLabel = "cert.pem", description = "Our server certificate (chain).")
    Path cert;

    @Option(names = {"--key", "-c"}, required = true, paramLabel = "KEY",
            description = "Our server key: TSS2 key file, persistent handle 0x81xxxxxx or keystore:PATH (in the "
                    + "TPM), or a PEM key file.")
    String key;

    @Mixin
    KeystoreKeyOptions keystore;

    @Option(names = "--password-file", paramLabel = "F", description = "The TPM key's password (if it has one).")
    Path passwordFile;

    @Mixin
    EapOptions.Tls tls;

    @Option(names = "--count", defaultValue = "0", paramLabel = "N",
            description = "Stop after N authentications (0: run until stopped). Default: ${DEFAULT-VALUE}")
    int count;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EapTlsConfig config = tls.config();
        List<X509Certificate> chain = Certificates.read(cert);
        List<X509Certificate> trusted = Certificates.read(ca);
        PrivateKey softwareKey = softwareKey(key);
        if (softwareKey != null) {
            return serve(new TlsIdentity(softwareKey, chain), trusted, config);
        }
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            return serve(new TlsIdentity(TpmPrivateKey.of(keys, KeyRef.load(keys, key, passwordFile, List.of(), keystore)), chain), trusted, config);
        }
    }

    private int serve(TlsIdentity identity, List<X509Certificate> trusted, EapTlsConfig config) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        int[] refused = {0};
        try (EthernetSocket socket = wire.open()) {
            out.println("listening on " + socket.interfaceName() + " (" + EapolFrame.mac(socket.mac()) + ")");
            new EapolAuthenticator(socket, () -> new EapTlsAuthenticator(identity, trusted, config, PeerPolicy.ACCEPT_ALL),
                    s -> out.println("eap: " + s)).serve(count, v -> {
                        if (v.authorized()) {
                            out.println("authorized " + v.mac() + " " + v.identity());
                        } else {
                            refused[0]++;
                            out.println("unauthorized " + v.mac() + ": " + ((EapResult.Failure) v.result()).reason());
                        }
                    });
        }
        return count > 0 && refused[0] == count ? 1 : 0;
    }

    /** The key of a PEM file holding a software private key, or null for TPM keys (TSS2 files, handles). */
    private static PrivateKey softwareKey(String key) throws IOException {
        Path path = Path.of(key);
        if (key.toLowerCase().startsWith("0x") || !Files.isRegularFile(path)
                || Files.readString(path).contains("TSS2 PRIVATE KEY")) {
            return null;
        }
        try (Reader r = Files.newBufferedReader(path); PEMParser parser = new PEMParser(r)) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException(key + " holds no private key (give an unencrypted PEM key or a TSS2 key file)");
        }
    }
}
