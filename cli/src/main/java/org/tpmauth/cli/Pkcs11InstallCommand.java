package org.tpmauth.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tpmauth.pkcs11.P11KitModuleConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth pkcs11 install}: registers the token with p11-kit for every program. */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = {"Register the token with p11-kit: writes MODULES_DIR/NAME.module with 'remote: unix:path="
            + "SOCKET', so programs that load p11-kit-proxy.so or the registered modules (NetworkManager's "
            + "wpa_supplicant, GnuTLS/openconnect, libp11 without a module path) see the token as one more slot, "
            + "with no environment variable. Undo with 'tpmauth pkcs11 uninstall'."})
final class Pkcs11InstallCommand implements Callable<Integer> {
    @Option(names = "--socket", defaultValue = Pkcs11Command.DEFAULT_SOCKET, paramLabel = "PATH",
            description = "The socket 'tpmauth pkcs11 serve' listens on (default: ${DEFAULT-VALUE}).")
    Path socket;

    @Option(names = "--name", defaultValue = "tpmauth", paramLabel = "NAME", description = "Module name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--modules-dir", defaultValue = "/etc/pkcs11/modules", paramLabel = "DIR",
            description = "p11-kit's module config directory (default: ${DEFAULT-VALUE}; per user: "
                + "~/.config/pkcs11/modules, which p11-kit ignores for root).")
    Path modulesDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path file = P11KitModuleConfig.install(modulesDir, name, socket.toAbsolutePath());
        spec.commandLine().getOut().println("installed " + file + " (remote: "
                + P11KitModuleConfig.address(socket.toAbsolutePath()) + ")");
        return 0;
    }
}
