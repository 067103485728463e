package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tpmauth.attestation.AttestationVerifier;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.refstate.RefState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest verify}: the verifier, in software. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify evidence without a TPM: the AK's signature, TPM_GENERATED magic and quote type, the "
            + "nonce, the PCR digest, the event log replayed against the quoted PCRs, the IMA log replayed against "
            + "the quoted PCR 10, and the reference state's pinned PCRs and rules (IMA allowlist included). Prints "
            + "OK, or one FAIL line per failed check (with --json a verdict object). Exit 0 only when everything "
            + "holds, 1 otherwise."})
final class AttestVerifyCommand implements Callable<Integer> {
    @Option(names = "--evidence", required = true, paramLabel = "evidence.json", description = "Evidence from attest quote.")
    Path evidence;

    @Option(names = "--ak-pub", required = true, paramLabel = "ak.pub.pem",
            description = "The enrolled AK's public key (PEM), or its TSS2 key file.")
    Path akPub;

    @Option(names = "--nonce", required = true, paramLabel = "HEX", description = "The nonce this verifier issued.")
    String nonce;

    @Option(names = "--refstate", paramLabel = "ref.json", description = "Reference state to judge the boot by.")
    Path refstate;

    @Option(names = "--json", description = "Print the verdict as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Evidence ev = Evidence.fromJson(Files.readAllBytes(evidence));
        RefState ref = refstate == null ? null : RefState.fromJson(Files.readString(refstate));
        AttestationVerifier.Verdict v = AttestationVerifier.verify(AttestCommand.readPublicArea(akPub), ev,
                AttestCommand.hex(nonce, "--nonce"), null, null, ref);
        spec.commandLine().getOut().print(json ? v.toJson() : v.toText());
        spec.commandLine().getOut().flush();
        return v.ok() ? 0 : 1;
    }
}
