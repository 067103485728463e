package org.tpmauth.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.TpmInfo;
import org.tpmauth.tss.types.TpmHandles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tpmauth tpm info}. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the TPM's maker, firmware, spec level, algorithms, PCR banks, free slots and lockout state.")
final class TpmInfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        TpmInfo i;
        try (Tpm tpm = TpmOptions.open(spec)) {
            i = TpmInfo.read(tpm);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("manufacturer:       %s%n", i.manufacturer());
        out.printf("vendor:             %s%n", i.vendor());
        out.printf("firmware:           %s%n", i.firmware());
        out.printf("specification:      TPM %s (%s)%n", i.specVersion(), i.specDate());
        out.printf("algorithms:         %s%n", String.join(" ", i.algorithms()));
        out.printf("pcr-banks:          %s%n", String.join(", ", i.pcrBanks()));
        out.printf("free-object-slots:  %d%n", i.transientFree());
        out.printf("free-session-slots: %d%n", i.sessionsFree());
        out.printf("persistent-free:    %d%n", i.persistentFree());
        out.printf("persistent-handles: %s%n", i.persistentHandles().isEmpty() ? "none"
                : i.persistentHandles().stream().map(TpmHandles::hex).collect(Collectors.joining(" ")));
        out.printf("lockout:            %s, %d of %d failed authorizations counted, one forgiven every %d s, "
                + "lockout recovery %d s%n", i.inLockout() ? "IN LOCKOUT" : "not in lockout", i.lockoutCounter(),
                i.maxAuthFail(), i.lockoutInterval(), i.lockoutRecovery());
        return 0;
    }
}
