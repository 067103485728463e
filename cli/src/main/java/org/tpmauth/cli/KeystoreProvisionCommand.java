package org.tpmauth.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tpmauth keystore provision}. */
@Command(name = "provision", mixinStandardHelpOptions = true,
        description = {"Provision the keystore as tss2_provision does (without an EK certificate): the SRK from the "
            + "profile's template, persisted at its handle (kept if already there), the EK's public part and the "
            + "hierarchy objects."})
final class KeystoreProvisionCommand implements Callable<Integer> {
    @Mixin
    KeystoreOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (KeystoreOptions.Open ks = options.open(spec)) {
            ks.keystore().provision();
            spec.commandLine().getOut().println("provisioned " + ks.keystore().config().profileName() + " in "
                    + ks.keystore().config().systemDir());
        }
        return 0;
    }
}
