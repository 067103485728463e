package org.tpmauth.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tpmauth wpa-supplicant config}: prints the network block and the global PKCS#11 lines. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Print the wpa_supplicant configuration equivalent to 'tpmauth nm provision': the global "
            + "pkcs11_module_path line and the EAP-TLS network block whose client_cert and private_key are "
            + "pkcs11: URIs of tpmauth's token. Provision the key and certificate with 'tpmauth nm provision "
            + "--offline' (or put NAME.key + NAME.crt into the keystore yourself)."})
final class WpaSupplicantConfigCommand implements Callable<Integer> {
    @Mixin
    EapProfileOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        spec.commandLine().getOut().print(options.profile().wpaSupplicant());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
