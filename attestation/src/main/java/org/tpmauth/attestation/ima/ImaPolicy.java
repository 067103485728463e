package org.tpmauth.attestation.ima;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tpmauth.attestation.Failure;
import org.tpmauth.attestation.refstate.RefState;

/** Judges IMA entries against a reference state's allowlist (path to allowed digests) and excludes. */
public final class ImaPolicy {
    private ImaPolicy() {
    }

    public static List<Failure> evaluate(RefState.Ima rules, ImaLog log) {
        List<Failure> failures = new ArrayList<>();
        List<Pattern> excludes = rules.excludes() == null ? List.of()
                : rules.excludes().stream().map(Pattern::compile).toList();
        Map<String, List<String>> allow = rules.allowlist() == null ? Map.of() : rules.allowlist();
        for (ImaEntry e : log.inconsistent()) {
            failures.add(new Failure("ima-entry", "IMA entry " + e.index() + " (" + e.path() + ") does not hash to its "
                    + "template hash: the log was edited", Map.of("event", String.valueOf(e.index()), "value", e.path())));
        }
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
