package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.attestation.refstate.RefStates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest refstate create}: a reference state from a known-good machine's boot log. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Make a reference state from a known-good machine's boot log: the PCRs given with --pin are "
            + "pinned to their replayed values; the rest is judged by rules taken from the log (Secure Boot, "
            + "PK/KEK/db certificates, dbx entries, boot application digests, kernel command line, minimum "
            + "firmware version). Edit the JSON to allow more (see the README)."})
final class AttestRefstateCreateCommand implements Callable<Integer> {
    @Option(names = "--from-log", required = true, paramLabel = "FILE", description = "The known-good boot log.")
    Path fromLog;

    @Option(names = "--pin", split = ",", paramLabel = "PCR", description = "PCRs to pin exactly, e.g. 0,2,4.")
    List<Integer> pin = List.of();

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "ref.json", description = "Reference state to write.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EventLog log = AttestCommand.readEventLog(fromLog);
        Set<Integer> pins = new TreeSet<>(pin);
        RefState ref = RefStates.fromLog(log, pins);
        Files.writeString(out, ref.toJson());
        spec.commandLine().getOut().println("reference state from " + log.events().size() + " events written to " + out
                + (pins.isEmpty() ? "" : " (PCRs " + pins + " pinned)"));
        return 0;
    }
}
