package org.tpmauth.cli;

import java.util.concurrent.Callable;
import org.tpmauth.attest.service.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest revoke}: an operator revokes a device in the service's database. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = {"Revoke a device (its name is the CN of its certificates, tpm-...): the service refuses its "
            + "renewals and enrollments, and the CRL at /crl lists its unexpired certificates. Recorded, never undone."})
final class AttestRevokeCommand implements Callable<Integer> {
    @Option(names = "--database", defaultValue = "tpmauth-attest", paramLabel = "PATH|URL",
            description = "The service's database (default ${DEFAULT-VALUE}, or jdbc:postgresql://...).")
    String database;

    @Option(names = "--device", required = true, paramLabel = "NAME", description = "The device, e.g. tpm-3f2a....")
    String device;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (shown to the device when it renews).")
    String reason;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Database db = Database.open(database)) {
            db.revoke(device, reason);
        }
        spec.commandLine().getOut().println("revoked " + device + ": " + reason);
        return 0;
    }
}
