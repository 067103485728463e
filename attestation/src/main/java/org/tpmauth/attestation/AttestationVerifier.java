package org.tpmauth.attestation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.tpmauth.attestation.eventlog.EventLog;
import org.tpmauth.attestation.eventlog.EventLogFormatException;
import org.tpmauth.attestation.ima.ImaLog;
import org.tpmauth.attestation.ima.ImaPolicy;
import org.tpmauth.attestation.quote.Evidence;
import org.tpmauth.attestation.quote.PcrValues;
import org.tpmauth.attestation.quote.QuoteVerifier;
import org.tpmauth.attestation.refstate.RefState;
import org.tpmauth.attestation.refstate.RefStateEvaluator;
import org.tpmauth.tss.types.TpmAlg;
import org.tpmauth.tss.types.TpmsClockInfo;
import org.tpmauth.tss.types.TpmsPcrSelection;
import org.tpmauth.tss.types.TpmtPublic;

/**
 * The whole verification of one piece of evidence: the quote ({@link QuoteVerifier}), the boot log
 * replayed against the quoted PCRs (each PCR that differs is named), the IMA log replayed against the
 * quoted PCR 10, and the reference state ({@link RefStateEvaluator}, {@link ImaPolicy}). The verdict
 * lists every failure, as text for people and JSON for programs.
 */
public final class AttestationVerifier {
    private AttestationVerifier() {
    }

    /**
     * Every failed check; valid when there is none. {@code log} is null without an event log (or when it
     * is malformed), {@code imaLog} likewise without an IMA log.
     */
    public record Verdict(List<Failure> failures, QuoteVerifier.Result quote, EventLog log, ImaLog imaLog) {
        public Verdict {
            failures = List.copyOf(failures);
        }

        /** A verdict on evidence without an IMA log. */
        public Verdict(List<Failure> failures, QuoteVerifier.Result quote, EventLog log) {
            this(failures, quote, log, null);
        }

        public boolean ok() {
            return failures.isEmpty();
        }

        /** "OK: ..." or one "FAIL check: message" line per failure. */
        public String toText() {
            if (ok()) {
                return "OK: the quote, " + (log == null ? "" : "the event log (" + log.events().size() + " events) ")
                        + (imaLog == null ? "" : "the IMA log (" + imaLog.entries().size() + " entries) ")
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
                // only the quoted banks' replay is compared with anything
                log = EventLog.parse(evidence.eventLog(), evidence.pcrs().banks()::containsKey);
                compareReplay(log, evidence, failures);
            } catch (EventLogFormatException e) {
                failures.add(new Failure("eventlog", "the event log is malformed: " + e.getMessage(),
                        Map.of("event", String.valueOf(e.eventIndex()), "offset", String.valueOf(e.offset()))));
            }
        }
        ImaLog ima = null;
        if (evidence.hasImaLog()) {
            try {
                ima = coveredImaEntries(ImaLog.parse(evidence.imaLog()), evidence.pcrs(), failures);
                if (ima != null) {
                    failures.addAll(ImaPolicy.consistency(ima));
                }
            } catch (EventLogFormatException e) {
                failures.add(new Failure("imalog", "the IMA log is malformed: " + e.getMessage(),
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
            RefState.Ima imaRules = ref.rules().ima();
            if (imaRules != null && !evidence.hasImaLog()) {
                failures.add(new Failure("imalog", "the reference state has IMA rules, but the evidence has no IMA "
                        + "log; quote with --ima-log /sys/kernel/security/ima/binary_runtime_measurements"));
            } else if (imaRules != null && ima != null) {
                failures.addAll(ImaPolicy.allowlist(imaRules, ima));
            }
        }
        return new Verdict(failures, quote, log, ima);
    }

    /**
     * The entries of the IMA log that the quote covers: the log replayed into every bank in which the
     * quote covers PCR 10 (or whichever PCRs the entries name) must reach the quoted values
     * ({@code ima-replay:BANK:PCR} names each that it misses). The log grows while the machine runs, so
     * entries after that point are not judged: the next quote covers them. Null when no entry is covered.
     */
    private static ImaLog coveredImaEntries(ImaLog ima, PcrValues quoted, List<Failure> failures) {
        Set<Integer> pcrs = new TreeSet<>();
        ima.entries().forEach(e -> pcrs.add(e.pcr()));
        List<TpmAlg> banks = quoted.banks().keySet().stream()
                .filter(b -> pcrs.stream().anyMatch(p -> quoted.get(b, p) != null)).toList();
        if (banks.isEmpty()) {
            failures.add(new Failure("ima-replay", "the quote covers none of the PCRs the IMA log extends " + pcrs
                    + "; quote e.g. sha256:10 to check the IMA log"));
            return null;
        }
        // the first entry (boot_aggregate) is measured before anything can quote: a quote must cover some
        int covered = ima.coveredBy(quoted, banks);
        if (covered > 0) {
            return ima.prefix(covered);
        }
        PcrValues replayed = ima.replay(banks);
        for (TpmAlg bank : banks) {
            for (int pcr : pcrs) {
                byte[] q = quoted.get(bank, pcr);
                byte[] r = replayed.get(bank, pcr);
                if (q != null && !java.util.Arrays.equals(q, r)) {
                    String b = bank.name().toLowerCase();
                    failures.add(new Failure("ima-replay:" + b + ":" + pcr, "PCR " + pcr + " (" + b + ") is "
                            + HexFormat.of().formatHex(q) + " in the quote, and no leading entries of the IMA log replay to it "
                            + "(the whole log gives " + HexFormat.of().formatHex(r) + "): the IMA log was edited, "
                            + "lacks entries (read it after the quote), or is another machine's",
                            Map.of("pcr", String.valueOf(pcr), "bank", b, "value", HexFormat.of().formatHex(r),
                                    "expected", HexFormat.of().formatHex(q))));
                }
            }
        }
        return null;
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
