package org.tpmauth.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.quote.PcrFile;
import org.tpmauth.attestation.quote.PcrSelections;
import org.tpmauth.attestation.quote.Quoter;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.keys.TpmKeys;
import org.tpmauth.tss.wire.TpmWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest quote}: evidence for a verifier. */
@Command(name = "quote", mixinStandardHelpOptions = true,
        description = {"Quote PCRs with the AK and the verifier's nonce and write the evidence as JSON: \"quoted\" "
            + "(hex TPMS_ATTEST), \"signature\" (hex TPMT_SIGNATURE), \"pcrs\" (bank -> index -> hex), with "
            + "--eventlog \"eventlog\" (base64) and with --ima-log \"imalog\" (base64; read after the quote, so that "
            + "it holds every entry the quote covers). --message-out, --signature-out and --pcrs-out also write the "
            + "files tpm2_quote -m, -s and -o write, for tpm2_checkquote."})
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

    @Option(names = "--ima-log", paramLabel = "FILE", description = "IMA measurement list to include (quote PCR 10 "
            + "with it), e.g. /sys/kernel/security/ima/binary_runtime_measurements.")
    Path imaLog;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "evidence.json", description = "Evidence file.")
    Path out;

    @Option(names = "--message-out", paramLabel = "quote.msg", description = "Also write the TPMS_ATTEST bytes "
            + "(tpm2_checkquote -m).")
    Path messageOut;

    @Option(names = "--signature-out", paramLabel = "quote.sig", description = "Also write the TPMT_SIGNATURE "
            + "(tpm2_checkquote -s).")
    Path signatureOut;

    @Option(names = "--pcrs-out", paramLabel = "pcrs.bin", description = "Also write the PCR values in tpm2_quote's "
            + "PCR file format (tpm2_checkquote -f, without -l).")
    Path pcrsOut;

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
        if (imaLog != null) {
            evidence = evidence.withImaLog(Files.readAllBytes(imaLog));
        }
        Files.writeString(out, evidence.toJson());
        if (messageOut != null) {
            Files.write(messageOut, evidence.quoted());
        }
        if (signatureOut != null) {
            Files.write(signatureOut, TpmWriter.marshal(evidence.signature()::marshal));
        }
        if (pcrsOut != null) {
            Files.write(pcrsOut, PcrFile.of(evidence).toBytes());
        }
        spec.commandLine().getOut().println("quote over " + pcrs + " written to " + out);
        return 0;
    }
}
