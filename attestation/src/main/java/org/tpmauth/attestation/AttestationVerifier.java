package org.tpmauth.attestation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.attestation.eventlog.EventLogFormatException;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.quote.QuoteVerifier;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.attestation.refstate.RefStateEvaluator;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsClockInfo;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtPublic;

/**
 * The whole verification of one piece of evidence: the quote ({@link QuoteVerifier}), the boot log
 * replayed against the quoted PCRs (each PCR that differs is named), and the reference state
 * ({@link RefStateEvaluator}). The verdict lists every failure, as text for people and JSON for
 * programs.
 */
public final class AttestationVerifier {
    private AttestationVerifier() {
    }

    /** Every failed check; valid when there is none. {@code log} is null without an event log. */
    public record Verdict(List<Failure> failures, QuoteVerifier.Result quote, EventLog log) {
        public Verdict {
            failures = List.copyOf(failures);
        }

        public boolean ok() {
            return failures.isEmpty();
        }

        /** "OK: ..." or one "FAIL check: message" line per failure. */
        public String toText() {
            if (ok()) {
                return "OK: the quote, " + (log == null ? "" : "the event log (" + log.events().size() + " events) ")
                        + "and every rule hold\n";
            }
            StringBuilder sb = new StringBuilder();
            failures.forEach(f -> sb.append("FAIL ").append(f.check()).append(": ").append(f.message()).append('\n'));
            return sb.toString();
        }

        /** {"ok": bool, "failures": [{"check", "message", "context": {...}}], "clock": {...}} */
        public String toJson() {
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode();
            root.put("ok", ok());
            ArrayNode list = root.putArray("failures");
            for (Failure f : failures) {
                ObjectNode n = list.addObject();
                n.put("check", f.check());
                n.put("message", f.message());
                ObjectNode c = n.putObject("context");
                new java.util.TreeMap<>(f.context()).forEach(c::put);
            }
            if (quote != null && quote.attest() != null) {
                TpmsClockInfo clock = quote.attest().clockInfo();
                ObjectNode c = root.putObject("clock");
                c.put("clock", Long.toUnsignedString(clock.clock()));
                c.put("resetCount", Integer.toUnsignedLong(clock.resetCount()));
                c.put("restartCount", Integer.toUnsignedLong(clock.restartCount()));
                c.put("safe", clock.safe());
            }
            try {
                return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * @param expected selection the verifier asked for, or null
     * @param previous clock of this machine's last accepted quote, or null
     * @param ref      reference state, or null
     */
    public static Verdict verify(TpmtPublic ak, Evidence evidence, byte[] nonce, List<TpmsPcrSelection> expected,
            TpmsClockInfo previous, RefState ref) {
        QuoteVerifier.Result quote = QuoteVerifier.verify(ak, evidence, nonce, expected, previous);
        List<Failure> failures = new ArrayList<>(quote.failures());
        EventLog log = null;
        if (evidence.hasEventLog()) {
            try {
                log = EventLog.parse(evidence.eventLog());
                compareReplay(log, evidence, failures);
            } catch (EventLogFormatException e) {
                failures.add(new Failure("eventlog", "the event log is malformed: " + e.getMessage(),
                        Map.of("event", String.valueOf(e.eventIndex()), "offset", String.valueOf(e.offset()))));
            }
        }
        if (ref != null) {
            if (log == null && !evidence.hasEventLog()) {
                failures.add(new Failure("eventlog", "the reference state judges boot events, but the evidence has no "
                        + "event log; quote with --eventlog"));
            } else if (log != null) {
                failures.addAll(RefStateEvaluator.evaluate(ref, evidence.pcrs(), log.events()));
            }
        }
        return new Verdict(failures, quote, log);
    }

    /** Every PCR the log extends must replay to the quoted value (banks the quote covers). */
    private static void compareReplay(EventLog log, Evidence evidence, List<Failure> failures) {
        int compared = 0;
        for (Map.Entry<TpmAlg, SortedMap<Integer, byte[]>> bank : log.replayed().banks().entrySet()) {
            for (Map.Entry<Integer, byte[]> pcr : bank.getValue().entrySet()) {
                byte[] quoted = evidence.pcrs().get(bank.getKey(), pcr.getKey());
                if (quoted == null) {
                    continue;
                }
                compared++;
                if (!java.util.Arrays.equals(quoted, pcr.getValue())) {
                    String b = bank.getKey().name().toLowerCase();
                    failures.add(new Failure("replay:" + b + ":" + pcr.getKey(), "PCR " + pcr.getKey() + " (" + b
                            + ") replays from the event log to " + HexFormat.of().formatHex(pcr.getValue())
                            + ", but the TPM quoted " + HexFormat.of().formatHex(quoted) + ": the log was edited, lacks "
                            + "events, or is another machine's", Map.of("pcr", String.valueOf(pcr.getKey()), "bank", b,
                                    "value", HexFormat.of().formatHex(pcr.getValue()),
                                    "expected", HexFormat.of().formatHex(quoted))));
                }
            }
        }
        if (compared == 0) {
            failures.add(new Failure("replay", "the quote covers none of the PCRs the event log extends; quote the "
                    + "boot PCRs (e.g. sha256:0-7) to check the log"));
        }
    }
}
