package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.tpmauth.eap.provision.EapTlsProfile;
import org.tpmauth.eap.provision.KeystoreProvisioner;
import org.tpmauth.eap.provision.NmConnections;
import org.tpmauth.pkcs11.P11KitModuleConfig;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.KeyAlgorithm;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth nm provision}: key, CSR or certificate, and the NetworkManager connection, in one command. */
@Command(name = "provision", mixinStandardHelpOptions = true,
        description = {"Provision 802.1X EAP-TLS with a TPM key for NetworkManager: creates the key in the token's "
            + "keystore if needed, writes a CSR signed in the TPM (--csr-out) or installs the issued certificate "
            + "(--cert), and adds the NetworkManager connection whose client-cert and private-key are pkcs11: URIs "
            + "of tpmauth's token. Without --offline it also registers the token with p11-kit (as 'tpmauth "
            + "pkcs11 install'), so NetworkManager's wpa_supplicant finds it.",
            "With --offline the keyfile is printed on stdout instead, as 'nmcli --offline' does."})
final class NmProvisionCommand implements Callable<Integer> {
    @Mixin
    EapProfileOptions options;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Credential credential;

    static final class Credential {
        @Option(names = "--cert", paramLabel = "cert.pem", description = "The issued certificate (then its chain).")
        Path cert;

        @Option(names = "--csr-out", paramLabel = "req.pem", description = "Write a CSR for the CA to sign.")
        Path csrOut;
    }

    @Option(names = "--key-type", defaultValue = "ec-p256", paramLabel = "TYPE",
            description = "ec-p256 | rsa-2048, for a new key (default: ${DEFAULT-VALUE}).")
    String keyType;

    @Option(names = "--offline", description = "Print the NetworkManager keyfile instead of adding the connection.")
    boolean offline;

    @Option(names = "--keystore", defaultValue = "/var/lib/tpmauth/keystore", paramLabel = "DIR",
            description = "The token's keystore directory (default: ${DEFAULT-VALUE}).")
    Path keystore;

    @Option(names = "--socket", defaultValue = Pkcs11Command.DEFAULT_SOCKET, paramLabel = "PATH",
            description = "The token's socket, for the p11-kit module config (default: ${DEFAULT-VALUE}).")
    Path socket;

    @Option(names = "--connections-dir", paramLabel = "DIR",
            description = "Where NetworkManager reads keyfiles, its [keyfile] path (default: "
                + "/etc/NetworkManager/system-connections).")
    Path connectionsDir = NmConnections.SYSTEM_DIR;

    @Option(names = "--modules-dir", paramLabel = "DIR",
            description = "p11-kit's module config directory for the token's registration (default: /etc/pkcs11/modules).")
    Path modulesDir = P11KitModuleConfig.SYSTEM_DIR;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        KeyAlgorithm algorithm = KeyAlgorithm.parse(keyType);
        if (algorithm != KeyAlgorithm.EC_P256 && algorithm != KeyAlgorithm.RSA_2048) {
            throw new IllegalArgumentException("--key-type is ec-p256 or rsa-2048, not " + keyType);
        }
        EapTlsProfile profile = options.profile();
        String alias = options.connection;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            KeystoreProvisioner provisioner = new KeystoreProvisioner(keys, keystore);
            provisioner.ensureKey(alias, algorithm);
            if (credential.csrOut != null) {
                Files.writeString(credential.csrOut, provisioner.csr(alias, options.identity));
            } else {
                provisioner.installCertificate(alias, credential.cert);
            }
        }
        var out = spec.commandLine().getOut();
        if (offline) {
            out.print(profile.keyfile(UUID.randomUUID()));
            out.flush();
            return 0;
        }
        Path module = P11KitModuleConfig.install(modulesDir, "tpmauth", socket.toAbsolutePath());
        Path file = NmConnections.add(connectionsDir, profile);
        out.println("added connection '" + alias + "' (" + file + "), token registered in " + module
                + (credential.csrOut != null ? "; get " + credential.csrOut + " signed, then run again with --cert" : ""));
        return 0;
    }
}
