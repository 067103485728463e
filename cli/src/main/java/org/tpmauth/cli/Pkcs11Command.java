package org.tpmauth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tpmauth pkcs11}: the TPM keys as a PKCS#11 token for every program, through p11-kit. */
@Command(name = "pkcs11", mixinStandardHelpOptions = true,
        description = {"Serve a keystore's TPM keys as a PKCS#11 token over p11-kit's remote protocol, so that "
            + "wpa_supplicant, NetworkManager, OpenVPN, ssh, strongSwan, openconnect and pkcs11-tool use them "
            + "through p11-kit-client.so (or p11-kit-proxy.so with the installed module config)."},
        subcommands = {Pkcs11ServeCommand.class, Pkcs11InstallCommand.class, Pkcs11UninstallCommand.class,
            CommandLine.HelpCommand.class})
final class Pkcs11Command implements Runnable {
    /** Where the systemd units put the socket. */
    static final String DEFAULT_SOCKET = "/run/tpmauth/pkcs11.sock";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
