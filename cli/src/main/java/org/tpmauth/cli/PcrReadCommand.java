package org.tpmauth.cli;

import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import org.tpmauth.tss.Tpm;
import org.tpmauth.tss.commands.Capabilities;
import org.tpmauth.tss.commands.PcrRead;
import org.tpmauth.tss.types.PcrSelectionSpec;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsPcrSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth pcr read}: the same values and layout as tpm2_pcrread. */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = {"Print PCR values in tpm2_pcrread's format.",
            "Examples: tpmauth pcr read sha256:0,1,2   tpmauth pcr read sha1:all   tpmauth pcr read sha1:0+sha256:0"})
final class PcrReadCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "SELECTION",
            description = "BANK:PCRS[+BANK:PCRS...]; default: every allocated bank, all PCRs.")
    String selection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PcrRead.Values values;
        try (Tpm tpm = TpmOptions.open(spec)) {
            List<TpmsPcrSelection> sel = selection == null ? Capabilities.pcrBanks(tpm) : PcrSelectionSpec.parse(selection);
            values = PcrRead.readAll(tpm, sel);
        }
        PrintWriter out = spec.commandLine().getOut();
        HexFormat hex = HexFormat.of().withUpperCase();
        for (Map.Entry<TpmAlg, SortedMap<Integer, byte[]>> bank : values.digests().entrySet()) {
            out.printf("  %s:%n", bank.getKey().name().toLowerCase());
            for (Map.Entry<Integer, byte[]> pcr : bank.getValue().entrySet()) {
                out.printf("    %-2d: 0x%s%n", pcr.getKey(), hex.formatHex(pcr.getValue()));
            }
        }
        return 0;
    }
}
