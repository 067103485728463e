package org.tpmauth.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tpmauth.pkcs11.P11KitModuleConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth pkcs11 uninstall}: removes the module config that install wrote. */
@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = "Remove the p11-kit module config that 'tpmauth pkcs11 install' wrote (other files are left alone).")
final class Pkcs11UninstallCommand implements Callable<Integer> {
    @Option(names = "--name", defaultValue = "tpmauth", paramLabel = "NAME", description = "Module name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--modules-dir", defaultValue = "/etc/pkcs11/modules", paramLabel = "DIR",
            description = "p11-kit's module config directory (default: ${DEFAULT-VALUE}).")
    Path modulesDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        boolean removed = P11KitModuleConfig.uninstall(modulesDir, name);
        spec.commandLine().getOut().println(removed ? "removed " + modulesDir.resolve(name + ".module")
                : "nothing to remove: no " + modulesDir.resolve(name + ".module"));
        return 0;
    }
}
