package org.tpmauth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.tpmauth.attestation.eventlog.EventLogFormatException;
import org.tpmauth.attestation.ima.ImaEntry;
import org.tpmauth.attestation.ima.ImaLog;
import org.tpmauth.attestation.quote.PcrValues;
import org.tpmauth.tss.types.TpmAlg;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest ima show}: entries of an IMA log and PCR 10 replayed. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Print an IMA log (binary_runtime_measurements or ascii_runtime_measurements; templates "
            + "ima-ng and ima-sig): every entry, then PCR 10 replayed in sha1 and sha256. With --json: "
            + "{\"pcrs\": {...}, \"events\": [...]}. Entries whose data does not match their template hash are "
            + "marked EDITED."})
final class AttestImaShowCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The IMA log.")
    Path file;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ImaLog log;
        try {
            log = ImaLog.parse(Files.readAllBytes(file));
        } catch (EventLogFormatException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        PcrValues pcrs = log.replay(List.of(TpmAlg.SHA1, TpmAlg.SHA256));
        Set<ImaEntry> edited = new HashSet<>(log.inconsistent()); // looked up once per entry of a long log
        PrintWriter out = spec.commandLine().getOut();
        HexFormat hex = HexFormat.of();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = mapper.createObjectNode();
            root.set("pcrs", AttestEventlogShowCommand.pcrsJson(mapper, pcrs));
            ArrayNode events = root.putArray("events");
            for (ImaEntry e : log.entries()) {
                ObjectNode n = events.addObject();
                n.put("index", e.index());
                n.put("pcr", e.pcr());
                n.put("template", e.template());
                n.put("template_hash", hex.formatHex(e.templateHash()));
                n.put("file_hash", e.fileHashAlgorithm() + ":" + hex.formatHex(e.fileHash()));
                n.put("path", e.path());
                n.put("signature", hex.formatHex(e.signature()));
                n.put("violation", e.violation());
                n.put("edited", edited.contains(e));
            }
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            return 0;
        }
        for (ImaEntry e : log.entries()) {
            out.println(String.format("%5d %2d %s %-7s %s:%s %s%s%s", e.index(), e.pcr(), hex.formatHex(e.templateHash()),
                    e.template(), e.fileHashAlgorithm(), hex.formatHex(e.fileHash()), e.path(),
                    e.violation() ? " VIOLATION" : "", edited.contains(e) ? " EDITED" : ""));
        }
        AttestEventlogShowCommand.printPcrs(out, pcrs);
        return 0;
    }
}
