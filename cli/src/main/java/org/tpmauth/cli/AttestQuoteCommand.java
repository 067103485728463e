package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.quote.PcrSelections;
import org.tpmauth.attestation.quote.Quoter;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest quote}: evidence for a verifier. */
@Command(name = "quote", mixinStandardHelpOptions = true,
        description = {"Quote PCRs with the AK and the verifier's nonce and write the evidence as JSON: \"quoted\" "
            + "(hex TPMS_ATTEST), \"signature\" (hex TPMT_SIGNATURE), \"pcrs\" (bank -> index -> hex) and, with "
            + "--eventlog, \"eventlog\" (base64)."})
final class AttestQuoteCommand implements Callable<Integer> {
    @Option(names = "--ak", required = true, paramLabel = "ak.pem", description = "The AK: TSS2 key file or 0x81... handle.")
    String ak;

    @Option(names = "--nonce", required = true, paramLabel = "HEX", description = "The verifier's nonce (hex).")
    String nonce;

    @Option(names = "--pcrs", required = true, paramLabel = "SEL", description = "PCRs to quote, e.g. sha256:0-7,sha1:0-7.")
    String pcrs;

    @Option(names = "--eventlog", paramLabel = "FILE",
            description = "Boot event log to include, e.g. /sys/kernel/security/tpm0/binary_bios_measurements.")
    Path eventlog;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "evidence.json", description = "Evidence file.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        byte[] log = eventlog == null ? null : Files.readAllBytes(eventlog);
        Evidence evidence;
        try (Tpm tpm = TpmOptions.open(spec); TpmKeys keys = new TpmKeys(tpm)) {
            evidence = Quoter.quote(tpm, KeyRef.load(keys, ak, null), AttestCommand.hex(nonce, "--nonce"),
                    PcrSelections.parse(pcrs), log);
        }
        Files.writeString(out, evidence.toJson());
        spec.commandLine().getOut().println("quote over " + pcrs + " written to " + out);
        return 0;
    }
}
