package org.tpmauth.attestation.refstate;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.eventlog.BootFacts;
import org.tpmauth.attestation.eventlog.EventData;
import org.tpmauth.attestation.eventlog.EventType;
import org.tpmauth.attestation.eventlog.TcgEvent;
import org.tpmauth.attestation.quote.PcrValues;
import org.tpmauth.tss.types.TpmAlg;

/**
 * Judges a boot against a {@link RefState}: pinned PCRs against the quoted values, rules against the
 * parsed events. Every broken rule is reported with the event (index, PCR, type, parsed value) that
 * broke it and what was expected.
 */
public final class RefStateEvaluator {
    private RefStateEvaluator() {
    }

    /**
     * @param quoted PCR values proven by the quote
     * @param events the boot log's events (whose replay matched the quote)
     */
    public static List<Failure> evaluate(RefState ref, PcrValues quoted, List<TcgEvent> events) {
        List<Failure> failures = new ArrayList<>();
        TpmAlg bank = TpmAlg.hashByName(ref.bank());
        ref.pcrs().forEach((pcr, allowed) -> {
            byte[] v = quoted.get(bank, pcr);
            String actual = v == null ? null : HexFormat.of().formatHex(v);
            if (actual == null || allowed.stream().noneMatch(a -> a.equalsIgnoreCase(actual))) {
                failures.add(new Failure("pcr:" + ref.bank() + ":" + pcr, "PCR " + pcr + " (" + ref.bank() + ") is "
                        + (actual == null ? "not quoted" : actual) + ", not one of the allowed " + allowed,
                        Map.of("pcr", String.valueOf(pcr), "value", actual == null ? "" : actual,
                                "expected", String.join(",", allowed))));
            }
        });
        RefState.Rules rules = ref.rules();
        BootFacts facts = BootFacts.of(events);
        if (rules.secureBoot() != null || rules.pk() != null || rules.kek() != null || rules.db() != null
                || rules.dbxContains() != null) {
            variableDataIntact(events, quoted, failures);
        }
        if (rules.secureBoot() != null) {
            secureBoot(rules.secureBoot(), events, facts, failures);
        }
        keys("pk", "PK", rules.pk(), facts.pk(), events, failures);
        keys("kek", "KEK", rules.kek(), facts.kek(), events, failures);
        keys("db", "db", rules.db(), facts.db(), events, failures);
        if (rules.dbxContains() != null) {
            Set<String> missing = new LinkedHashSet<>(rules.dbxContains());
            for (EventData.SignatureEntry entry : facts.dbx()) {
                if (missing.remove(entry.sha256()) && missing.isEmpty()) {
                    break;
                }
            }
            for (String want : missing) {
                TcgEvent e = variableEvent(events, "dbx");
                failures.add(failure("dbx", e, "dbx lacks the revocation " + want
                        + ": the firmware would still boot what it revokes", "dbx", want));
            }
        }
        if (rules.bootApps() != null) {
            Set<String> allowed = new HashSet<>(rules.bootApps());
            for (BootFacts.BootApp app : facts.bootApps()) {
                if (app.sha256() == null || !allowed.contains(app.sha256())) {
                    failures.add(failure("boot-app", events.get(app.event()), "boot application " + app.path()
                            + " has digest " + app.sha256() + ", which is not an allowed shim, GRUB or kernel",
                            app.path() + " " + app.sha256(), String.join(",", rules.bootApps())));
                }
            }
        }
        if (rules.kernelCmdline() != null) {
            cmdline(rules.kernelCmdline(), facts, events, failures);
        }
        if (rules.minScrtmVersion() != null) {
            scrtm(rules.minScrtmVersion(), facts, events, failures);
        }
        return failures;
    }

    /**
     * The digest of an EV_EFI_VARIABLE_DRIVER_CONFIG event is the hash of its data: data that does not
     * hash to it was altered after the fact, and rules over it would judge a forgery. The digest compared
     * is one of a bank the quote covers for the event's PCR (so the replay vouched for it): a digest of
     * an unquoted bank could have been edited along with the data.
     */
    private static void variableDataIntact(List<TcgEvent> events, PcrValues quoted, List<Failure> failures) {
        Map<TpmAlg, MessageDigest> hashes = new EnumMap<>(TpmAlg.class);
        for (TcgEvent e : events) {
            if (e.type() != EventType.EV_EFI_VARIABLE_DRIVER_CONFIG) {
                continue;
            }
            Map.Entry<TpmAlg, byte[]> digest = e.digests().entrySet().stream()
                    .filter(d -> quoted.get(d.getKey(), e.pcr()) != null && hash(hashes, d.getKey()) != null)
                    .findFirst().orElse(null);
            if (digest == null) {
                failures.add(failure("event-data", e, "the quote covers PCR " + e.pcr() + " in none of the banks the "
                        + "event has a digest for, so its data cannot be trusted; quote that PCR", "(not quoted)",
                        "PCR " + e.pcr() + " quoted"));
                continue;
            }
            byte[] h = hash(hashes, digest.getKey()).digest(e.data());
            if (!MessageDigest.isEqual(h, digest.getValue())) {
                failures.add(failure("event-data", e, "the variable's data does not hash to the event's digest: "
                        + "the data was altered, so rules over it cannot be judged",
                        HexFormat.of().formatHex(h), HexFormat.of().formatHex(digest.getValue())));
            }
        }
    }

    /** One MessageDigest per bank, reused; null for a hash this JVM cannot compute (SM3). */
    private static MessageDigest hash(Map<TpmAlg, MessageDigest> hashes, TpmAlg bank) {
        return hashes.computeIfAbsent(bank, b -> {
            try {
                return MessageDigest.getInstance(b.jcaDigestName());
            } catch (NoSuchAlgorithmException ex) {
                return null;
            }
        });
    }

    private static void secureBoot(boolean wanted, List<TcgEvent> events, BootFacts facts, List<Failure> failures) {
        TcgEvent e = variableEvent(events, "SecureBoot");
        boolean actual = Boolean.TRUE.equals(facts.secureBoot());
        if (actual != wanted) {
            failures.add(failure("secure-boot", e, "Secure Boot is " + (e == null ? "not measured" : actual ? "on" : "off")
                    + ", the reference state requires it " + (wanted ? "on" : "off"),
                    e == null ? "(no SecureBoot variable)" : String.valueOf(actual), String.valueOf(wanted)));
        }
    }

    private static void keys(String check, String variable, List<String> allowed, List<EventData.SignatureEntry> actual,
            List<TcgEvent> events, List<Failure> failures) {
        if (allowed == null) {
            return;
        }
        Set<String> allowedSet = new HashSet<>(allowed);
        for (EventData.SignatureEntry s : actual) {
            if (!allowedSet.contains(s.sha256())) {
                failures.add(failure(check, variableEvent(events, variable), variable + " holds "
                        + (s.subject() != null ? "certificate '" + s.subject() + "'" : "entry") + " with SHA-256 "
                        + s.sha256() + ", which the reference state does not allow", s.sha256(), String.join(",", allowed)));
            }
        }
    }

    private static void cmdline(String regex, BootFacts facts, List<TcgEvent> events, List<Failure> failures) {
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            failures.add(new Failure("kernel-cmdline", "the reference state's kernel_cmdline is not a regular "
                    + "expression: " + e.getDescription()));
            return;
        }
        for (BootFacts.KernelCmdline c : facts.kernelCmdlines()) {
            if (!p.matcher(c.value()).matches()) {
                failures.add(failure("kernel-cmdline", events.get(c.event()), "kernel command line '" + c.value()
                        + "' does not match the allowed pattern", c.value(), regex));
            }
        }
    }

    private static void scrtm(String minimum, BootFacts facts, List<TcgEvent> events, List<Failure> failures) {
        TcgEvent e = events.stream().filter(ev -> ev.type() == EventType.EV_S_CRTM_VERSION).findFirst().orElse(null);
        if (facts.scrtmVersions().isEmpty()) {
            failures.add(failure("scrtm-version", null, "the log has no EV_S_CRTM_VERSION event; the reference state "
                    + "requires firmware " + minimum + " or later", "(none)", ">= " + minimum));
            return;
        }
        for (String v : facts.scrtmVersions()) {
            if (compareVersions(v, minimum) < 0) {
                failures.add(failure("scrtm-version", e, "firmware (S-CRTM) version '" + v + "' is older than "
                        + minimum, v, ">= " + minimum));
            }
        }
    }

    /** Compares the numeric parts of two version strings, left to right. */
    static int compareVersions(String a, String b) {
        String[] x = a.replaceAll("[^0-9]+", " ").trim().split(" ");
        String[] y = b.replaceAll("[^0-9]+", " ").trim().split(" ");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length && !x[i].isEmpty() ? Long.parseLong(x[i].substring(0, Math.min(x[i].length(), 18))) : 0;
            long q = i < y.length && !y[i].isEmpty() ? Long.parseLong(y[i].substring(0, Math.min(y[i].length(), 18))) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }

    private static TcgEvent variableEvent(List<TcgEvent> events, String name) {
        return events.stream().filter(e -> e.type() == EventType.EV_EFI_VARIABLE_DRIVER_CONFIG)
                .filter(e -> EventData.ofEvent(e) instanceof EventData.EfiVariable v && v.name().equals(name))
                .findFirst().orElse(null);
    }

    /** A failure naming the event (index, PCR, type) that broke the rule, its value and what was expected. */
    private static Failure failure(String check, TcgEvent e, String message, String value, String expected) {
        if (e == null) {
            return new Failure(check, message, Map.of("value", value, "expected", expected));
        }
        return new Failure(check, "event " + e.index() + " (PCR " + e.pcr() + ", " + e.typeName() + "): " + message,
                Map.of("event", String.valueOf(e.index()), "pcr", String.valueOf(e.pcr()), "type", e.typeName(),
                        "value", value, "expected", expected));
    }
}
