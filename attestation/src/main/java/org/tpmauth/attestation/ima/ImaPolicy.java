package org.tpmauth.attestation.ima;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.refstate.RefState;

/** Judges IMA entries against a reference state's allowlist (path to allowed digests) and excludes. */
public final class ImaPolicy {
    private ImaPolicy() {
    }

    /** {@link #consistency} and {@link #allowlist} together. */
    public static List<Failure> evaluate(RefState.Ima rules, ImaLog log) {
        List<Failure> failures = new ArrayList<>(consistency(log));
        failures.addAll(allowlist(rules, log));
        return failures;
    }

    /**
     * Entries whose template data does not hash to their logged template hash: their path and file
     * digest are not what the kernel measured ({@code ima-entry}).
     */
    public static List<Failure> consistency(ImaLog log) {
        List<Failure> failures = new ArrayList<>();
        for (ImaEntry e : log.inconsistent()) {
            failures.add(new Failure("ima-entry", "IMA entry " + e.index() + " (" + e.path() + ") does not hash to its "
                    + "template hash: the log was edited", Map.of("event", String.valueOf(e.index()), "value", e.path())));
        }
        return failures;
    }

    /** Every entry's file digest must be allowed for its path unless an exclude matches the path ({@code ima}). */
    public static List<Failure> allowlist(RefState.Ima rules, ImaLog log) {
        List<Failure> failures = new ArrayList<>();
        List<Pattern> excludes = new ArrayList<>();
        for (String exclude : rules.excludes() == null ? List.<String>of() : rules.excludes()) {
            try {
                excludes.add(Pattern.compile(exclude));
            } catch (PatternSyntaxException e) {
                failures.add(new Failure("ima", "the reference state's IMA exclude '" + exclude + "' is not a regular "
                        + "expression: " + e.getDescription()));
            }
        }
        Map<String, List<String>> allow = rules.allowlist() == null ? Map.of() : rules.allowlist();
        for (ImaEntry e : log.entries()) {
            if (e.path().equals("boot_aggregate") || excludes.stream().anyMatch(p -> p.matcher(e.path()).matches())) {
                continue;
            }
            String digest = HexFormat.of().formatHex(e.fileHash());
            List<String> allowed = allow.get(e.path());
            if (allowed == null || allowed.stream().noneMatch(a -> a.equalsIgnoreCase(digest))) {
                failures.add(new Failure("ima", "IMA entry " + e.index() + ": " + e.path() + " has " + e.fileHashAlgorithm()
                        + " " + digest + (allowed == null ? ", and the allowlist does not name the file"
                                : ", not an allowed digest"), Map.of("event", String.valueOf(e.index()), "pcr",
                                        String.valueOf(e.pcr()), "value", e.path() + " " + digest,
                                        "expected", allowed == null ? "(not in allowlist)" : String.join(",", allowed))));
            }
        }
        return failures;
    }
}
