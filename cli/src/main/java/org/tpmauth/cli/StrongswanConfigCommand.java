package org.tpmauth.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.tpmauth.pkcs11.P11KitModuleConfig;
import org.tpmauth.tls.Certificates;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKey;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.keys.Tss2KeyFile;
import org.tpmauth.tss.types.TpmHandles;
import org.tpmauth.tss.types.TpmtPublic;
import org.tpmauth.tss.wire.TpmReader;
import org.tpmauth.vpn.strongswan.ChildSa;
import org.tpmauth.vpn.strongswan.KeyRoute;
import org.tpmauth.vpn.strongswan.SwanctlClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth strongswan config}: a swanctl directory for a road-warrior client with a TPM key. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Write a swanctl directory (swanctl.conf, x509/, x509ca/) for an IKEv2 road-warrior client that "
            + "authenticates with the certificate and its TPM key, plus DIR/strongswan-tpmauth.conf: the charon settings "
            + "to include in strongswan.conf.",
            "--via pkcs11 (default): charon signs through the tpmauth PKCS#11 token (tpmauth pkcs11 serve, whose keystore "
            + "holds the key) with p11-kit's client module; charon needs P11_KIT_SERVER_ADDRESS in its environment.",
            "--via tpm-plugin: the key is made persistent at --handle and strongSwan's tpm plugin uses it directly; "
            + "the key needs a fixed signing scheme and noDA. That plugin mis-encodes about 1 ECDSA signature in 256: "
            + "prefer RSA keys or the pkcs11 route."})
final class StrongswanConfigCommand implements Callable<Integer> {
    enum Via {
        pkcs11, tpm_plugin;

        @Override
        public String toString() {
            return name().replace('_', '-');
        }
    }

    @Option(names = "--key", required = true, paramLabel = "key.pem",
            description = "The TPM key (TSS2 key file or keystore:PATH; with --via tpm-plugin also a persistent "
                    + "handle 0x81...).")
    String key;

    @Mixin
    KeystoreOptions fapi;

    @Option(names = "--cert", required = true, paramLabel = "cert.pem", description = "The key's certificate.")
    Path cert;

    @Option(names = "--ca", required = true, paramLabel = "ca.pem",
            description = "CA certificate(s) that issued the gateway's certificate (repeatable; a file may hold several).")
    List<Path> ca;

    @Option(names = "--remote", required = true, paramLabel = "ADDR", description = "The gateway's address or name.")
    String remote;

    @Option(names = "--remote-id", required = true, paramLabel = "ID",
            description = "The identity the gateway's certificate must prove, e.g. vpn.example.com or \"CN=vpn\".")
    String remoteId;

    @Option(names = "--id", paramLabel = "ID", description = "This client's identity (default: the certificate's subject DN).")
    String id;

    @Option(names = "--via", defaultValue = "pkcs11", paramLabel = "pkcs11|tpm-plugin",
            converter = ViaConverter.class, description = "How charon reaches the key (default: ${DEFAULT-VALUE}).")
    Via via;

    @Option(names = "--children", paramLabel = "NAME=TS,...",
            description = "CHILD_SAs and the subnets behind the gateway, e.g. office=10.1.0.0/16,lab=192.168.7.0/24 "
                + "(default: tpmauth=0.0.0.0/0,::/0, everything).")
    String children;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The swanctl directory to write.")
    Path out;

    @Option(names = "--socket", defaultValue = Pkcs11Command.DEFAULT_SOCKET, paramLabel = "PATH",
            description = "pkcs11 route: the token server's socket (default: ${DEFAULT-VALUE}).")
    Path socket;

    @Option(names = "--handle", defaultValue = "0x81010004", paramLabel = "0x81xxxxxx",
            description = "tpm-plugin route: the persistent handle for the key (default: ${DEFAULT-VALUE}).")
    String handle;

    @Option(names = "--plugin-tcti", defaultValue = "device:/dev/tpmrm0", paramLabel = "NAME:OPTS",
            description = "tpm-plugin route: the TCTI charon opens, device:/dev/tpmrm0, tabrmd:bus_type=system or "
                + "mssim:host=H,port=P (default: ${DEFAULT-VALUE}).")
    String pluginTcti;

    @Spec
    CommandSpec spec;

    static final class ViaConverter implements picocli.CommandLine.ITypeConverter<Via> {
        @Override
        public Via convert(String value) {
            for (Via v : Via.values()) {
                if (v.toString().equals(value)) {
                    return v;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not pkcs11 or tpm-plugin");
        }
    }

    @Override
    public Integer call() throws Exception {
        X509Certificate certificate = Certificates.read(cert).get(0);
        List<X509Certificate> cas = new ArrayList<>();
        for (Path file : ca) {
            cas.addAll(Certificates.read(file));
        }
        KeyRoute route = via == Via.pkcs11 ? pkcs11Route(certificate) : tpmPluginRoute(certificate);
        SwanctlClientConfig config = new SwanctlClientConfig(certificate, cas, remote, remoteId,
                id == null ? SwanctlClientConfig.subjectId(certificate) : id,
                children == null ? List.of() : ChildSa.parseList(children), route);
        config.writeTo(out);
        spec.commandLine().getOut().println("wrote " + out.resolve("swanctl.conf") + " (" + via + ") and "
                + out.resolve(SwanctlClientConfig.CHARON_SETTINGS) + " (include it in strongswan.conf)");
        return 0;
    }

    private KeyRoute pkcs11Route(X509Certificate certificate) throws IOException {
        Certificates.requireMatch(key, publicArea(readKeyFile()).toPublicKey(), certificate);
        return new KeyRoute.Pkcs11(KeyRoute.Pkcs11.MODULE, KeyRoute.Pkcs11.P11_KIT_CLIENT,
                P11KitModuleConfig.address(socket.toAbsolutePath()), SwanctlClientConfig.pkcs11Id(certificate));
    }

    private KeyRoute tpmPluginRoute(X509Certificate certificate) throws IOException {
        int colon = pluginTcti.indexOf(':');
        String tctiName = colon < 0 ? pluginTcti : pluginTcti.substring(0, colon);
        String tctiOptions = colon < 0 ? "" : pluginTcti.substring(colon + 1);
        boolean persistent = key.toLowerCase().startsWith("0x81");
        int target = TpmHandles.parse(persistent ? key : handle);
        KeyRoute.TpmPlugin route = new KeyRoute.TpmPlugin(target, tctiName, tctiOptions);
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            if (persistent) {
                TpmKey loaded = keys.persistent(target, new byte[0]);
                KeyRoute.TpmPlugin.checkUsable(loaded.publicArea(), false);
                Certificates.requireMatch(TpmHandles.hex(target), loaded.publicArea().toPublicKey(), certificate);
            } else {
                Tss2KeyFile file = readKeyFile();
                KeyRoute.TpmPlugin.checkUsable(publicArea(file), file.needsPassword());
                Certificates.requireMatch(key, publicArea(file).toPublicKey(), certificate);
                keys.persist(keys.load(file, new byte[0]), target);
                spec.commandLine().getOut().println("persisted " + key + " at " + TpmHandles.hex(target));
            }
        }
        return route;
    }

    private Tss2KeyFile readKeyFile() throws IOException {
        return KeyRef.readFile(key, fapi);
    }

    private static TpmtPublic publicArea(Tss2KeyFile file) {
        return TpmtPublic.readSized(new TpmReader(file.pubkey()));
    }
}
