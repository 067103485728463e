package org.tpmauth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.tpmauth.attestation.eventlog.EventData;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.attestation.eventlog.TcgEvent;
import org.tpmauth.attestation.quote.PcrValues;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tpmauth attest eventlog show}: events, parsed data and replayed PCRs of a boot log. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = {"Print a boot event log (SHA-1 or crypto-agile, e.g. "
            + "/sys/kernel/security/tpm0/binary_bios_measurements): every event with its PCR, type, digests and "
            + "parsed data, then the PCR values it replays to per bank. With --json: {\"pcrs\": {\"sha256\": {\"0\": "
            + "\"hex\", ...}, ...}, \"events\": [...]}."})
final class AttestEventlogShowCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The event log.")
    Path file;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EventLog log = AttestCommand.readEventLog(file);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = mapper.createObjectNode();
            root.put("format", log.format());
            root.set("pcrs", pcrsJson(mapper, log.replayed()));
            ArrayNode events = root.putArray("events");
            for (TcgEvent e : log.events()) {
                ObjectNode n = events.addObject();
                n.put("index", e.index());
                n.put("pcr", Integer.toUnsignedLong(e.pcr()));
                n.put("type", e.typeName());
                ObjectNode d = n.putObject("digests");
                e.digests().forEach((bank, v) -> d.put(bank.name().toLowerCase(), HexFormat.of().formatHex(v)));
                EventData data = EventData.ofEvent(e);
                ObjectNode parsed = mapper.valueToTree(data);
                parsed.put("kind", data.getClass().getSimpleName());
                n.set("data", parsed);
            }
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            return 0;
        }
        out.println("format: " + log.format() + ", " + log.events().size() + " events");
        for (TcgEvent e : log.events()) {
            out.println(String.format("%4d PCR %-2s %-34s %s", e.index(), Integer.toUnsignedString(e.pcr()), e.typeName(),
                    describe(EventData.ofEvent(e))));
        }
        printPcrs(out, log.replayed());
        return 0;
    }

    static ObjectNode pcrsJson(ObjectMapper mapper, PcrValues values) {
        ObjectNode pcrs = mapper.createObjectNode();
        values.banks().forEach((bank, v) -> {
            ObjectNode b = pcrs.putObject(bank.name().toLowerCase());
            v.forEach((pcr, digest) -> b.put(String.valueOf(pcr), HexFormat.of().formatHex(digest)));
        });
        return pcrs;
    }

    static void printPcrs(PrintWriter out, PcrValues values) {
        values.banks().forEach((bank, v) -> {
            out.println(bank.name().toLowerCase() + ":");
            v.forEach((pcr, digest) -> out.println(String.format("  %2d: %s", pcr, HexFormat.of().formatHex(digest))));
        });
    }

    /** One line of parsed data for people. */
    private static String describe(EventData d) {
        String s;
        if (d instanceof EventData.Text t) {
            s = "\"" + t.text().replace("\n", "\\n") + "\"";
        } else if (d instanceof EventData.ImageLoad i) {
            s = i.devicePath().text();
        } else if (d instanceof EventData.EfiVariable v) {
            s = v.name() + (v.name().equals("SecureBoot") ? " = " + (v.secureBootEnabled() ? "on" : "off") : "")
                    + (v.signatures().isEmpty() ? "" : " " + v.signatures().size() + " entries: " + v.signatures().stream()
                            .limit(3).map(x -> x.subject() != null ? x.subject() : x.sha256().substring(0, 16))
                            .collect(Collectors.joining("; ")));
        } else if (d instanceof EventData.Separator sep) {
            s = sep.error() ? String.format("error 0x%08x", sep.value()) : "separator";
        } else if (d instanceof EventData.FirmwareBlob b) {
            s = String.format("%s base 0x%x length 0x%x", b.description(), b.base(), b.length()).trim();
        } else if (d instanceof EventData.GptEvent g) {
            s = "disk " + g.diskGuid() + ", " + g.partitions() + " partitions";
        } else if (d instanceof EventData.HandoffTables h) {
            s = (h.description() + " " + String.join(", ", h.tables())).trim();
        } else if (d instanceof EventData.NoAction n) {
            s = (n.signature() + " " + n.detail()).trim();
        } else {
            EventData.Raw r = (EventData.Raw) d;
            s = r.note().isEmpty() ? r.data().length + " bytes" : r.note();
        }
        return s.length() > 160 ? s.substring(0, 157) + "..." : s;
    }
}
